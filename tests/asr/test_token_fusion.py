"""Token fusion: the CLM chooses words, Whisper their casing; a word the text never has in
its context is read in Whisper's."""
from __future__ import annotations

import numpy as np

from jargonaut.asr.decoder.surface_forms import surface_forms
from jargonaut.asr.decoder.token_fusion import TokenFusion
from jargonaut.lm.bpe import token_word
from jargonaut.lm.general import token_logprobs
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
    neutral = TokenFusion(token_model, 1.0, 0.0, encode, eot, surface_forms({}, parts.case_variant))
    assert neutral.token(state, upper[0])[0] == neutral.token(state, lower[0])[0] == plain.token(state, lower[0])[0]


def test_a_word_after_a_sentence_end_is_scored_as_a_line_start(biomed_clm) -> None:
    """The CLM's text is read a line at a time, and its lines are sentences: inside a long
    recording's window the word after "." is scored from the CLM's line start, as a single
    sentence's first word is; a token that goes on without a space ("1.5") is not."""
    parts = wideband_parts()
    vocab, restarts = parts.vocab, parts.restarts
    encode, eot = vocab.encode, vocab.eot
    assert encode is not None and restarts is not None
    token_model = biomed_clm.token_model
    plain = TokenFusion(token_model, 1.0, 0.0, encode, eot)
    starts = TokenFusion(token_model, 1.0, 0.0, encode, eot, sentence_ends=restarts.stops,
                         word_start=vocab.space_start)
    after_stop = plain.history_state(" The drug was approved.")
    assert after_stop == starts.history_state(" The drug was approved.")  # no word after its "."
    (word,), digit = encode(" Rituximab")[:1], encode("5")[0]
    line_start = plain.token(token_model.begin_state(), word)[0]
    assert plain.token(after_stop, word)[0] < line_start  # lines never go on after "."
    assert starts.token(after_stop, word)[0] == line_start
    assert starts.token(after_stop, digit) == plain.token(after_stop, digit)


def test_a_word_the_text_never_has_here_is_read_in_whispers_context(biomed_clm) -> None:
    """Mixed with Whisper's prior, a word-start token the text never has after the word before
    it scores its unigram times Whisper's prior for it there over general English's for it: the
    likelier Whisper finds it there, the higher. A token the text has after that word, and a
    token inside a word, score as before, whatever Whisper's prior."""
    parts = wideband_parts()
    vocab = parts.vocab
    encode, eot = vocab.encode, vocab.eot
    assert encode is not None
    general = token_logprobs(encode, eot)
    assert general is not None
    token_model = biomed_clm.token_model

    def fusion(prior: float) -> TokenFusion:
        fused = TokenFusion(token_model, 1.0, 0.0, encode, eot, word_start=vocab.space_start)
        fused.mix_with(lambda beam, tok: -6.0, 0.5)
        fused.read_unseen_in_context(general, lambda beam, tok: prior)
        return fused

    likely, unlikely = fusion(-1.0), fusion(-9.0)
    ribosome = encode(" ribosome")
    start, inside = ribosome[0], ribosome[1]
    assert vocab.space_start[start] and not vocab.space_start[inside] and general[start] > -np.inf

    nowhere = token_model.empty_state()  # no context: every word is its unigram
    assert likely.token(nowhere, start, 0)[0] > unlikely.token(nowhere, start, 0)[0]
    assert likely.token(nowhere, inside, 0) == unlikely.token(nowhere, inside, 0)

    after_the = likely.history_state("from the nucleus to the")  # the text: "... to the ribosome"
    assert token_model.follows(after_the, token_model.ids[token_word(start)])
    assert likely.token(after_the, start, 0) == unlikely.token(after_the, start, 0)
