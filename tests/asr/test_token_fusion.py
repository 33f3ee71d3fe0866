"""Case-neutral token fusion: the CLM chooses words, Whisper their casing (throughout, or at sentence starts)."""
from __future__ import annotations

from jargonaut.asr.decoder.token_fusion import SentenceStarts, TokenFusion
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


def test_sentence_starts_are_case_neutral_and_the_rest_is_not(biomed_clm) -> None:
    """At a sentence start (the CLM's <s>, or after a full stop) the CLM scores " And" as the
    likelier of " And" / " and", as it never saw most words capitalised there; mid-sentence it
    keeps its own casing preference (a term's spelling)."""
    parts = wideband_parts()
    encode, eot = parts.vocab.encode, parts.vocab.eot
    assert encode is not None
    upper, lower = encode(" And")[0], encode(" and")[0]
    token_model = biomed_clm.token_model
    plain = TokenFusion(token_model, 1.0, 0.0, encode, eot)
    starts = TokenFusion(token_model, 1.0, 0.0, encode, eot, starts=SentenceStarts(parts.case_variant, parts.stops))
    begin = token_model.begin_state()
    assert plain.token(begin, upper)[0] < plain.token(begin, lower)[0]
    assert starts.token(begin, upper)[0] == starts.token(begin, lower)[0] == plain.token(begin, lower)[0]
    state = begin
    for tok in encode(" The cells divided."):
        state = plain.token(state, tok)[1]
    assert starts.token(state, upper)[0] == starts.token(state, lower)[0]  # after the full stop
    state = plain.token(state, encode(" The")[0])[1]  # mid-sentence: the CLM's own casing
    assert starts.token(state, upper) == plain.token(state, upper)
    assert starts.token(state, upper)[0] != starts.token(state, lower)[0]
