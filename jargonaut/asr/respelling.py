"""A recognition written in its CLM's spelling conventions (`jargonaut.lm.spelling`) and with its
near-miss non-words settled (`jargonaut.lm.near_miss`): segment texts and timed words alike; a
two-word variant merges into one word spanning both."""
from __future__ import annotations

import weakref

from jargonaut.asr.decoder.phonetic import phone_key
from jargonaut.asr.types import Recognition, Word
from jargonaut.lm.model import NgramLM
from jargonaut.lm.near_miss import NearMisses, near_misses_of
from jargonaut.lm.spelling import respell, respell_text


def respell_words(words: list[Word], table: dict[str, str] | None, near: NearMisses | None = None) -> list[Word]:
    if (not table and near is None) or not words:
        return words
    out, i = [], 0
    for text, used in respell([w.text for w in words], table or {}, near):
        span = words[i : i + used]
        out.append(Word(span[0].start, span[-1].end, text, min(w.probability for w in span)))
        i += used
    return out


def respell_recognition(recognition: Recognition, table: dict[str, str] | None,
                        near: NearMisses | None = None) -> Recognition:
    if not table and near is None:
        return recognition
    for segment in recognition.segments:
        segment.text = respell_text(segment.text, table or {}, near)
        segment.words = respell_words(segment.words, table, near)
    return recognition


_NEAR: weakref.WeakKeyDictionary[NgramLM, NearMisses] = weakref.WeakKeyDictionary()


def respell_with(recognition: Recognition, language_model: NgramLM) -> Recognition:
    """`recognition` in `language_model`'s spelling: its conventions and near misses."""
    return respell_recognition(recognition, language_model.spellings, near_misses(language_model))


def near_misses(language_model: NgramLM) -> NearMisses:
    """The CLM's near-miss fixer (built once per loaded model: a sorted vocabulary)."""
    near = _NEAR.get(language_model)
    if near is None:
        near = _NEAR[language_model] = near_misses_of(language_model.words, language_model.terms, phone_key,
                                                      language_model.text_words)
    return near
