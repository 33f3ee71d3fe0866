"""The style counts bench.clm_wer prints next to WER (what a CLM may change that WER ignores)."""
from __future__ import annotations

from bench.clm_wer import lower_case_i, lower_case_starts, sentence_ends_per_100_words


def test_sentence_ends_count_marks_that_close_a_sentence_only():
    punctuated = "Node.js 3.5 is out. Did it ship? Yes! It did"  # 10 words, 3 sentence ends
    assert sentence_ends_per_100_words([punctuated]) == 30.0
    run_on = "Node.js 3.5 is out did it ship yes it did"  # the same words, a run-on sentence
    assert sentence_ends_per_100_words([run_on]) == 0.0
    assert sentence_ends_per_100_words([punctuated, run_on]) == 15.0
    assert sentence_ends_per_100_words([]) == 0.0


def test_casing_counts():
    assert lower_case_starts("fine. and you? I am.") == 2
    assert lower_case_i("i'm sure i-95 is I think") == 1
