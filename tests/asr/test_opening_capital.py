"""A transcript opens with a capital whatever Whisper's near tie on its first word went to."""
from __future__ import annotations

from jargonaut.asr.opening_capital import capitalised, open_recognition, open_words
from jargonaut.asr.types import Recognition, Segment, Word


def test_first_lower_case_word_is_capitalised_and_nothing_else() -> None:
    assert capitalised(" and so my fellow americans.") == " And so my fellow americans."
    assert capitalised('"well, no."') == '"Well, no."'
    assert capitalised(" über alles") == " Über alles"


def test_words_with_a_capital_or_no_letter_keep_their_spelling() -> None:
    for text in (" iPhone sales", " And so", " 12 volts", " ...", "", "   "):
        assert capitalised(text) == text


def test_recognition_opens_with_a_capital_in_text_and_words() -> None:
    silence = Segment(0.0, 1.0, " ", [])
    first = Segment(1.0, 2.0, " and so", [Word(1.0, 1.4, " ", 0.9), Word(1.0, 1.4, " and", 0.9),
                                           Word(1.4, 2.0, " so", 0.8)])
    later = Segment(2.0, 3.0, " and then", [Word(2.0, 2.5, " and", 0.9), Word(2.5, 3.0, " then", 0.9)])
    opened = open_recognition(Recognition([silence, first, later], 3.0))
    assert opened.text == "And so and then"
    assert [w.text for w in opened.segments[1].words] == [" ", " And", " so"]
    assert [w.text for w in opened.segments[2].words] == [" and", " then"]


def test_stream_words_open_with_a_capital() -> None:
    words = [Word(0.0, 0.5, " and", 0.9), Word(0.5, 1.0, " so", 0.9)]
    assert [w.text for w in open_words(words)] == [" And", " so"]
    assert [w.text for w in words] == [" and", " so"]  # the caller's list is left alone
    assert open_words([]) == []
