"""A recognition written in its CLM's spelling conventions (`jargonaut.lm.spelling`): segment
texts and timed words alike; a two-word variant merges into one word spanning both."""
from __future__ import annotations

from jargonaut.asr.types import Recognition, Word
from jargonaut.lm.spelling import respell, respell_text


def respell_recognition(recognition: Recognition, table: dict[str, str] | None) -> Recognition:
    if not table:
        return recognition
    for segment in recognition.segments:
        segment.text = respell_text(segment.text, table)
        if segment.words:
            words, i = [], 0
            for text, used in respell(([w.text for w in segment.words]), table):
                span = segment.words[i : i + used]
                words.append(Word(span[0].start, span[-1].end, text, min(w.probability for w in span)))
                i += used
            segment.words = words
    return recognition
