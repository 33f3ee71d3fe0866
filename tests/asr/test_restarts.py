"""Restarts after a comma are Whisper's to write: the CLM leaves the repeated tokens unscored and
reads the restart as if the words had been said once (decoder/restarts.py)."""
from __future__ import annotations

from jargonaut.asr.decoder.hypothesis import Hypothesis
from jargonaut.asr.decoder.surface_forms import surface_forms
from jargonaut.asr.decoder.token_fusion import TokenFusion
from tests.asr.parts import wideband_parts as _parts

# Longer than the CLM's n-gram context, so the sentence start is forgotten by the restart.
LEAD = "In this study of cancer in older adults we found that"


def _bonuses(fusion: TokenFusion, text: str) -> list[tuple[str, float, bool, object]]:
    """(token text, bonus, left unscored, state after) for each token of `text`, decoded in turn."""
    vocab = _parts().vocab
    assert vocab.encode is not None
    h = Hypothesis([], 0.0, 0.0, fusion.lm.begin_state())
    out = []
    for tok in vocab.encode(" " + text.strip()):
        new = fusion.extend(h, 0, tok, 0.0, bool(vocab.space_start[tok]), vocab)
        out.append((vocab.decode([tok]), new.fused - h.fused, new.free, new.lm_state))
        h = new
    return out


def _fusion(biomed_clm, restarts: bool) -> TokenFusion:
    parts = _parts()
    assert parts.vocab.encode is not None and parts.restarts is not None
    return TokenFusion(biomed_clm.token_model, 1.0, 0.0, parts.vocab.encode, parts.vocab.eot,
                       surface_forms({}, parts.case_variant),
                       parts.fillers, parts.restarts if restarts else None)


def test_a_repeat_after_a_comma_is_free_and_read_once(biomed_clm) -> None:
    fusion = _fusion(biomed_clm, restarts=True)
    repeated = _bonuses(fusion, LEAD + " the patient, the patient had a fever")
    texts = [t for t, *_ in repeated]
    second = texts.index(" the", texts.index(" patient"))
    # the copied words cost nothing and are marked so (the internal LM leaves them alone too)
    assert all(bonus == 0.0 and free for _, bonus, free, _ in repeated[second:second + 2])
    assert not any(free for _, _, free, _ in repeated[:second])
    # after the copy the CLM reads "the patient had", not "the patient, the patient had"
    after = repeated[second + 2:]
    unrepeated = _bonuses(fusion, LEAD + " the patient had a fever")[second - 1:]
    assert [b for _, b, _, _ in after] == [b for _, b, _, _ in unrepeated]
    # without restarts the repeat is scored as new words, below what reading it once costs
    plain = _bonuses(_fusion(biomed_clm, restarts=False), LEAD + " the patient, the patient had a fever")
    assert sum(b for _, b, _, _ in plain) < sum(b for _, b, _, _ in repeated)


def test_a_restart_goes_on_from_where_it_restarted(biomed_clm) -> None:
    """"the tumour just, the patient had": "the" is free, "patient" is read after "the"."""
    fusion = _fusion(biomed_clm, restarts=True)
    restarted = _bonuses(fusion, LEAD + " the tumour just, the patient had")
    direct = _bonuses(fusion, LEAD + " the patient had")
    texts = [t for t, *_ in restarted]
    second = texts.index(" the", texts.index(" just"))
    first = texts.index(" the")
    assert restarted[second][2] and restarted[second][1] == 0.0
    assert not restarted[second + 1][2]
    assert [b for _, b, _, _ in restarted[second + 1:]] == [b for _, b, _, _ in direct[first + 1:]]


def test_a_repeat_without_a_comma_or_past_a_sentence_end_is_scored(biomed_clm) -> None:
    fusion = _fusion(biomed_clm, restarts=True)
    for text in ("the patient had the fever", "the patient. The patient had"):
        assert not any(free for _, _, free, _ in _bonuses(fusion, text)), text


def test_a_third_copy_is_a_loop_and_is_scored(biomed_clm) -> None:
    """"to the, to the, to the...": the first repeat is free, every later copy pays, so the CLM
    keeps resisting Whisper's repetition loops."""
    scored = _bonuses(_fusion(biomed_clm, restarts=True), "we went to the, to the, to the, to the clinic")
    free = [text for text, _, is_free, _ in scored if is_free]
    assert free == [" to", " the"]
