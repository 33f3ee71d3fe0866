"""A transcript opens with a capital letter, as Amazon Transcribe's do.

Whisper capitalises a window's first word when it reads it as a sentence start, and on a
short clip that is a near tie: whisper-base writes JFK's first stream utterance as "And so
my fellow Americans." or "and so my fellow Americans." depending on 0.1 s more or less of
padding, and on the CPU's rounding (CTranslate2 on AVX-512 against AVX2). A transcript, or
a stream utterance, has no text before it, so its first word starts a sentence whatever the
decoder's tie went to. A word with a capital inside ("iPhone") keeps its spelling."""
from __future__ import annotations

from jargonaut.asr.types import Recognition, Word


def capitalised(text: str) -> str:
    """`text` with its first word's first letter upper case, where that word is all lower case."""
    start = len(text) - len(text.lstrip())
    end = len(text) if (space := text.find(" ", start)) < 0 else space
    word = text[start:end]
    letter = next((i for i, ch in enumerate(word) if ch.isalpha()), None)
    if letter is None or not word.islower():
        return text
    at = start + letter
    return text[:at] + text[at].upper() + text[at + 1:]


def open_words(words: list[Word]) -> list[Word]:
    """`words` with the first spoken one capitalised (a new list; the rest shared)."""
    for i, word in enumerate(words):
        if word.text.strip():
            first = Word(word.start, word.end, capitalised(word.text), word.probability)
            return words[:i] + [first] + words[i + 1:]
    return words


def open_recognition(recognition: Recognition) -> Recognition:
    """`recognition` with its first segment that has text opened by a capital, text and words
    alike (in place, as `respell_recognition` does)."""
    for segment in recognition.segments:
        if segment.text.strip():
            segment.text = capitalised(segment.text)
            segment.words = open_words(segment.words)
            break
    return recognition
