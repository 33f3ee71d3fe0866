"""Inflections the CLM chose only because its text never writes the one spoken.

A CLM's text has each word in the forms its authors happened to write: "scale" but not "scaled",
"exporter" but not "exporters". Fused with Whisper, it rewards the form it knows over the spoken
one it has never seen ("KEDA scale consumers", "mismatch root certificates"): that preference
says nothing about which ending was said, only that the text is small. So after the search,
each word the CLM knows whose inflectional sibling (-s, -es, -d, -ed, -ies, -ied; added or
taken off) is a general-English word the CLM does not know is read again by Whisper's decoder
in both forms, and the sibling is written where the audio favours it by more than `margin`
nats. A sibling the text writes is never offered: there the CLM's choice between two forms it
knows is evidence.
"""
from __future__ import annotations

from typing import Callable

from jargonaut.asr.decoder.hypothesis import SearchResult, Vocab
from jargonaut.asr.decoder.segments import text_result

MIN_CHARS = 4  # shorter words' endings are too ambiguous ("bus", "us")
_VOWELS = frozenset("aeiou")


def siblings(word: str) -> list[str]:
    """The inflectional neighbours of a lower-case word: its plural or past added, or taken off."""
    out = [word + "s", word + "es", word + "d", word + "ed"]
    if len(word) >= 3 and word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS and word[-3] not in _VOWELS:
        out.append(word + word[-1] + "ed")  # stop -> stopped
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        out += [word[:-1] + "ies", word[:-1] + "ied"]
    if word.endswith("ies") or word.endswith("ied"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    if word.endswith("ed"):
        out += [word[:-2], word[:-1]]
        if len(word) >= 5 and word[-3] == word[-4]:
            out.append(word[:-3])  # stopped -> stop
    return [w for w in dict.fromkeys(out) if w != word and len(w) >= MIN_CHARS - 1]


def as_written(heard: str, sibling: str) -> str:
    """`sibling` in the casing `heard` was written in."""
    if heard.isupper() and len(heard) > 1:
        return sibling.upper()
    return sibling[:1].upper() + sibling[1:] if heard[:1].isupper() else sibling


class EndingCandidates:
    """Which siblings of a heard word to offer: general English words the CLM's text never writes,
    for a word it does write (`writes`: `NgramLM.writes`; its general-English prior knows both)."""

    def __init__(self, writes: Callable[[str], bool], general: Callable[[str], float | None], min_zipf: float):
        self._writes, self._general, self._min_zipf = writes, general, min_zipf

    def __call__(self, heard: str) -> list[str]:
        low = heard.lower()
        # an acronym's plural is no inflection Whisper would drop ("MTLS" is not "MTL" plus s)
        if len(low) < MIN_CHARS or not low.isalpha() or heard.isupper() or not self._writes(low):
            return []
        return [as_written(heard, s) for s in siblings(low)
                if not self._writes(s) and (self._general(s) or 0.0) >= self._min_zipf]


def replace_words(result: SearchResult, changes: list[tuple[int, int, list[int], float]], vocab: Vocab) -> SearchResult:
    """`result` with each (start, end, new tokens, acoustic change) applied, their token
    log-probabilities spread evenly over the new tokens."""
    tokens, logprobs = list(result.tokens), list(result.logprobs)
    for start, end, new, delta in sorted(changes, reverse=True):
        total = sum(logprobs[start:end]) + delta
        tokens[start:end] = new
        logprobs[start:end] = [total / len(new)] * len(new)
    return text_result(tokens, logprobs, vocab, result.no_speech_prob, result.alternatives, result.fused)
