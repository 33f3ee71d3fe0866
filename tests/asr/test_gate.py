"""The do-no-harm gate (decoder/gate.py): a CLM judges text of its own domain as its own and
other speech as off-domain, by how much better than general English it explains the words."""
from __future__ import annotations

from pathlib import Path

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


def test_mixed_gate_judges_the_clm_as_fusion_mixes_it(biomed_clm):
    """With fusion's mix (FusionSettings.clm_share), each word scores ln(share * P_clm + (1 - share)
    * P_general): a short in-domain sentence with one misheard term is no longer off-domain
    because the small biomed text under-predicts its everyday words, while conversation still is."""
    import math

    from jargonaut.asr.decoder.gate import general_logprob

    share = FusionSettings().clm_share
    assert 0.0 < share < 1.0
    misheard = "The patient started to pick up an instead of warfarin after the procedure."
    alone, mixed = WordFit(biomed_clm), WordFit(biomed_clm, share=share)
    assert alone.gain("", misheard) < 0.0 < mixed.gain("", misheard)
    assert all(mixed.gain("", text) < 0.0 for text in CONVERSATION)
    # exact per word: a known word mixes, a word the CLM does not know takes the general share alone
    lp = biomed_clm.score(biomed_clm.begin_state(), "warfarin")[0]
    general = general_logprob("warfarin")
    expected = math.log(share * math.exp(lp) + (1 - share) * math.exp(general)) - general
    assert math.isclose(mixed.gain("", "warfarin"), expected, rel_tol=1e-9)
    assert not biomed_clm.knows("zzyzx")
    assert math.isclose(mixed.gain("", "zzyzx"), math.log(1 - share), rel_tol=1e-9)
