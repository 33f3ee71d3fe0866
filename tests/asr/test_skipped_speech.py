"""A fused window that jumped over speech (decoder/skipped_speech.py), with the WideBand base
model's real tokenizer and the shipped settings."""
from __future__ import annotations

from jargonaut.asr.decoder.skipped_speech import SkipCheck
from jargonaut.asr.options import FusionSettings
from tests.asr.parts import wideband_parts
from tests.asr.test_sure_windows import _result

JUMPED = "The LMP at that node doubled after the line tripped and congestion got worse."  # 13 words


def _shipped() -> SkipCheck:
    check = SkipCheck.of(FusionSettings())
    assert check is not None
    return check


def test_a_segment_far_slower_than_speech_is_suspect() -> None:
    vocab, check = wideband_parts().vocab, _shipped()
    # DEV powergrid at 16 kHz: the fused window's first segment held one sentence over 23.4 s
    assert check.suspect(_result(0.08, JUMPED, 23.52, 23.52, "PowerWorld flagged an overload.", 29.64).tokens, vocab)
    # the same words at the pace they were spoken, and a short slow segment, are not
    assert not check.suspect(_result(0.0, JUMPED, 5.2, 5.2, "PowerWorld flagged an overload.", 7.4).tokens, vocab)
    assert not check.suspect(_result(0.0, "Okay.", 4.0, 4.0, JUMPED, 9.2).tokens, vocab)


def test_whispers_reading_replaces_the_window_only_where_it_has_clearly_more_words() -> None:
    vocab, check = wideband_parts().vocab, _shipped()
    fused = _result(0.08, JUMPED, 23.52)
    spoken = _result(0.04, "AGC is pulling the units up hard because our area control error keeps growing.", 5.84,
                     5.84, "I'm seeing a ground overcurrent target on the relay.", 11.8, 11.8, JUMPED, 23.44)
    assert check.covers_more(spoken.tokens, fused.tokens, vocab)
    # a slow segment that was a real pause reads the same without the CLM: the CLM's words stay
    respelled = _result(0.08, "The LMP at that note doubled after the line tripped and congestion got worse.", 23.52)
    assert not check.covers_more(respelled.tokens, fused.tokens, vocab)
    # a last window of padding read as a slow segment: a few more words are not a skipped sentence
    last = _result(0.0, "IZotope RX.", 16.0)
    assert check.suspect(last.tokens, vocab)
    assert not check.covers_more(_result(0.0, "eyes that will corrects.", 7.0).tokens, last.tokens, vocab)
