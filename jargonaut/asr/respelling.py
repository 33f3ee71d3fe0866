"""A recognition written in its CLM's spelling conventions (`jargonaut.lm.spelling`): segment
texts and timed words alike; a two-word variant merges into one word spanning both."""
from __future__ import annotations

from jargonaut.asr.types import Recognition, Word
from jargonaut.lm.spelling import respell, respell_text


def respell_words(words: list[Word], table: dict[str, str] | None) -> list[Word]:
    if not table or not words:
        return words
    out, i = [], 0
    for text, used in respell([w.text for w in words], table):
        span = words[i : i + used]
        out.append(Word(span[0].start, span[-1].end, text, min(w.probability for w in span)))
        i += used
    return out


def respell_recognition(recognition: Recognition, table: dict[str, str] | None) -> Recognition:
    if not table:
        return recognition
    for segment in recognition.segments:
        segment.text = respell_text(segment.text, table)
        segment.words = respell_words(segment.words, table)
    return recognition
