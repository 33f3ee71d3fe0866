"""Case-neutral token fusion: the CLM chooses words, Whisper their casing."""
from __future__ import annotations

from jargonaut.asr.decoder.token_fusion import TokenFusion
from tests.asr.parts import wideband_parts


def test_case_neutral_fusion_scores_both_casings_alike(biomed_clm) -> None:
    """biomed train.txt writes " and" 41 times and never " And": plain token fusion scores a
    capitalised sentence start lower; case-neutral fusion scores both by the likelier."""
    parts = wideband_parts()
    encode, eot = parts.vocab.encode, parts.vocab.eot
    assert encode is not None
    upper, lower = encode(" And"), encode(" and")
    assert len(upper) == len(lower) == 1 and parts.case_variant(upper[0]) == lower[0]
    assert parts.case_variant(lower[0]) == upper[0] and parts.case_variant(encode(",")[0]) is None
    token_model = biomed_clm.token_model
    state = token_model.begin_state()
    plain = TokenFusion(token_model, 1.0, 0.0, encode, eot)
    assert plain.token(state, upper[0])[0] < plain.token(state, lower[0])[0]
    neutral = TokenFusion(token_model, 1.0, 0.0, encode, eot, parts.case_variant)
    assert neutral.token(state, upper[0])[0] == neutral.token(state, lower[0])[0] == plain.token(state, lower[0])[0]
