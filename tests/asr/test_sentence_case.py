"""Pass 2 keeps Whisper's capitalised sentence starts (decoder/sentence_case.py), with the
WideBand base model's real tokenizer."""
from __future__ import annotations

from jargonaut.asr.decoder.sentence_case import SentenceCase
from tests.asr.parts import wideband_parts
from tests.asr.test_sure_windows import _result, _text


def _sentence_case() -> SentenceCase:
    parts = wideband_parts()
    assert parts.restarts is not None
    return SentenceCase(parts.restarts.stops, parts.case_variant, parts.vocab.decode, parts.vocab.eot)


def test_a_glossary_spelling_copied_to_a_sentence_start_gets_its_capital_back() -> None:
    cased = _sentence_case()
    first = _result(0.0, "All parib works. Then it fails.", 2.0)
    second = _result(0.0, "olaparib works. then it fails.", 2.0)
    kept = cased.keep(first, second)
    assert _text(kept) == "Olaparib works. Then it fails."
    # only the case of the sentence starts changes: same length, timestamps, scores
    assert len(kept.tokens) == len(second.tokens) and kept.tokens[0] == second.tokens[0]
    assert kept.tokens[-1] == second.tokens[-1] and kept.logprobs == second.logprobs


def test_words_inside_a_sentence_and_a_segment_that_continues_one_keep_their_case() -> None:
    cased = _sentence_case()
    inside = _result(0.0, "The patient took olaparib, then apixaban.", 2.0)
    assert cased.keep(inside, inside) is inside
    # pass 1's segment went on with a lower-case word (a sentence carried over from the last segment)
    continued = cased.keep(_result(2.0, "and then olaparib.", 3.0), _result(2.0, "olaparib works.", 3.0))
    assert _text(continued) == "olaparib works."


def test_a_stop_inside_a_word_starts_no_sentence() -> None:
    cased = _sentence_case()
    first = _result(0.0, "Use a reducer, e.g. the one in Node.js, version 3.5. then test.", 3.0)
    second = _result(0.0, "use a reducer, e.g. the one in node.js, version 3.5. then test.", 3.0)
    assert _text(cased.keep(first, second)) == "Use a reducer, e.g. the one in node.js, version 3.5. Then test."
