"""The do-no-harm gate (decoder/gate.py): a CLM judges text of its own domain as its own and
other speech as off-domain, by how much better than general English it explains the words."""
from __future__ import annotations

from pathlib import Path

import pytest

from jargonaut.asr.decoder.gate import WordFit, domain_gate
from jargonaut.asr.options import FusionSettings
from jargonaut.lm.bpe import as_transcript, base_model_encoder

BIOMED = [
    "The patient started apixaban instead of warfarin after the procedure.",
    "Olaparib works best in tumors with BRCA2 mutations.",
]
CONVERSATION = [
    "Yeah, so I went for a walk yesterday and I just felt really dizzy, so my boyfriend drove me home.",
    "Okay, and when did the chest pain start? It started last night, but it's getting sharper.",
]


def test_gate_tells_the_clms_domain_from_other_speech(biomed_clm, model_dir):
    encode_many = base_model_encoder(model_dir)
    assert encode_many is not None

    def encode(text: str) -> list[int]:
        return encode_many([text])[0]

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    eot = 50256
    min_gain = FusionSettings().min_domain_gain
    assert min_gain is not None
    gate = domain_gate(biomed_clm, min_gain, tokenizer.decode, eot)
    assert gate is not None
    assert not any(gate.off_domain("", encode(as_transcript(text)), 4) for text in BIOMED)
    assert all(gate.off_domain("", encode(as_transcript(text)), 4) for text in CONVERSATION)
    # timestamps and specials are not words; previous text is the first history
    assert gate.off_domain("", [eot + 1, *encode(as_transcript(BIOMED[0])), eot], 4) is False
    fit = WordFit(biomed_clm)
    assert fit.gain("", "") is None
    assert fit.gain("", BIOMED[1]) > fit.gain("", CONVERSATION[0])
    # off unless asked for, and never without a CLM word model to judge by
    assert domain_gate(biomed_clm, None, tokenizer.decode, eot) is None
    assert domain_gate(object(), min_gain, tokenizer.decode, eot) is None


def test_domain_words_are_the_ones_the_clms_text_uses(biomed_clm):
    fit = WordFit(biomed_clm)
    assert fit.domain_words("apixaban", 1.0)
    assert fit.domain_words("warfarin tumors", 1.0)
    # everyday words the biomed text never favours, and a mishearing it never wrote
    assert not fit.domain_words("boyfriend", 1.0)
    assert not fit.domain_words("warfarin boyfriend", 1.0)
    assert not fit.domain_words("olla parib", 1.0)


@pytest.mark.slow
def test_an_off_domain_window_reads_exactly_as_without_the_clm(biomed_clm, eval_dir):
    """Book prose under a biomedical CLM is off-domain: each window is the plain model's own
    (CTranslate2's search), not our decoder's search without a scorer, which on near ties
    started these clips lower case ("a further development")."""
    from jargonaut.asr.audio import decode
    from jargonaut.evaluate.manifests import read_manifest
    from tests.asr.parts import engine

    base = engine().base_models["WideBand"]
    clips = {i.id: i for i in read_manifest(eval_dir / "general" / "manifest.tsv")}
    for clip in ("LJ001-0012", "LJ001-0043", "LJ001-0075", "LJ001-0098", "LJ001-0118"):
        audio = decode(clips[clip].audio)
        plain = engine().text(audio, base)
        assert engine().text(audio, base, biomed_clm) == plain, clip
        assert plain[:1].isupper(), plain
