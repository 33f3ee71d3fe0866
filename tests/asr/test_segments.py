"""A window's segments for pass 2 per segment (decoder/segments.py), with the WideBand base
model's real tokenizer."""
from __future__ import annotations

from jargonaut.asr.decoder.segments import (
    reads_into_next,
    replace_segment,
    segment,
    segment_alternatives,
    segment_spans,
)
from tests.asr.parts import wideband_parts
from tests.asr.test_sure_windows import _result, _text


def test_segment_spans_are_closed_segments_only() -> None:
    vocab = wideband_parts().vocab
    window = _result(0.0, "The Data dog agent restarts.", 2.0, 2.4, "Then it fails.", 4.0, 4.0, "And")
    spans = segment_spans(window.tokens, vocab)
    assert len(spans) == 2  # the trailing "And" has no closing timestamp
    assert [_text(segment(window, span, vocab)) for span in spans] == ["The Data dog agent restarts.", "Then it fails."]
    first = segment(window, spans[1], vocab)
    assert first.tokens[0] == vocab.timestamp_begin + 120 and first.tokens[-1] == vocab.timestamp_begin + 200
    assert first.acoustic == sum(first.logprobs) and len(first.logprobs) == len(first.tokens)


def test_replacing_a_segment_keeps_the_others_and_every_timestamp() -> None:
    vocab = wideband_parts().vocab
    window = _result(0.0, "The Data dog agent restarts.", 2.0, 2.4, "Then it fails.", 4.0, unsure=("Data", "dog"))
    spans = segment_spans(window.tokens, vocab)
    fixed = _result(0.0, "The Datadog agent restarts.", 2.0)
    replaced = replace_segment(window, spans[0], fixed, vocab)
    assert _text(replaced) == "The Datadog agent restarts. Then it fails."
    stamps = [t for t in replaced.tokens if t >= vocab.timestamp_begin]
    assert stamps == [t for t in window.tokens if t >= vocab.timestamp_begin]
    assert replaced.lowest == -0.1 and min(window.logprobs) == -2.0  # the unsure words are gone
    assert len(replaced.logprobs) == len(replaced.tokens) and replaced.fused == window.fused


def test_a_segments_alternatives_are_the_other_endings_that_share_what_came_before() -> None:
    vocab = wideband_parts().vocab
    window = _result(0.0, "The agent restarts.", 2.0, 2.0, "Then it fails.", 4.0)
    other = _result(0.0, "The agent restarts.", 2.0, 2.0, "Then it sails.", 4.0)
    elsewhere = _result(0.0, "The agents restart.", 2.0, 2.0, "Then it fails.", 4.0)
    window.alternatives = [other.tokens, elsewhere.tokens]
    spans = segment_spans(window.tokens, vocab)
    alternatives = segment_alternatives(window, spans[1], vocab)
    assert [vocab.decode(alt).strip() for alt in alternatives] == ["Then it sails."]
    assert segment_alternatives(window, spans[0], vocab) != []  # both share the opening timestamp


def test_a_segment_read_again_into_the_next_ones_words_is_told() -> None:
    """Pass 2 of "... before the pressing" wrote "... the pressing plant gets it?", and the next
    segment opens "plant gets it?": kept whole, those words would be written twice."""
    draft = " Could you generate the DDP image and double check every SRC code before the pressing"
    assert reads_into_next(draft, draft.replace("SRC", "ISRC") + " plant gets it?", " plant gets it?")
    assert reads_into_next(draft, draft + " plant", " Plant gets it?")  # one word is enough, any casing
    # the draft ended so itself (its speech repeats), the re-read spells nothing new, or nothing follows
    assert not reads_into_next(draft + " plant", draft + " plant", " plant gets it?")
    assert not reads_into_next(draft, draft.replace("SRC", "ISRC"), " plant gets it?")
    assert not reads_into_next(draft, draft + " plant gets it?", "")
