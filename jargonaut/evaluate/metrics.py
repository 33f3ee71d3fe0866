"""WER with Whisper's English text normaliser on both sides, and recall of domain terms."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jiwer


@lru_cache(maxsize=1)
def _normaliser():
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalise(text: str) -> str:
    return " ".join(_normaliser()(text).split())


@dataclass
class FileScore:
    id: str
    reference: str
    hypothesis: str
    errors: int  # substitutions + deletions + insertions
    words: int  # reference words
    term_hits: int = 0
    term_total: int = 0
    text: str = ""  # the hypothesis as the system wrote it (casing, punctuation)

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else float(self.errors > 0)


@dataclass
class Report:
    files: list[FileScore] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def words(self) -> int:
        return sum(f.words for f in self.files)

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0

    @property
    def term_recall(self) -> float | None:
        total = sum(f.term_total for f in self.files)
        return sum(f.term_hits for f in self.files) / total if total else None


def load_terms(path: str | Path) -> list[str]:
    """One term a line; normalised like the transcripts (multi-word terms allowed)."""
    terms = [normalise(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    return sorted({t for t in terms if t})


def _count(words: list[str], term: list[str]) -> int:
    n = len(term)
    return sum(1 for i in range(len(words) - n + 1) if words[i : i + n] == term)


def term_recall(reference: str, hypothesis: str, terms: list[str]) -> tuple[int, int]:
    """(hits, total): occurrences of terms in the reference also found in the hypothesis."""
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    hits = total = 0
    for term in terms:
        t = term.split()
        r = _count(ref, t)
        if r:
            total += r
            hits += min(r, _count(hyp, t))
    return hits, total


def score_file(key: str, reference: str, hypothesis: str, terms: list[str] | None = None) -> FileScore:
    ref, hyp = normalise(reference), normalise(hypothesis)
    words = len(ref.split())
    if not words:
        errors = len(hyp.split())
    elif not hyp:
        errors = words
    else:
        out = jiwer.process_words(ref, hyp)
        errors = out.substitutions + out.deletions + out.insertions
    score = FileScore(key, ref, hyp, errors, words, text=hypothesis)
    if terms:
        score.term_hits, score.term_total = term_recall(reference, hypothesis, terms)
    return score


def score_files(pairs: list[tuple[str, str, str]], terms: list[str] | None = None) -> Report:
    """pairs: (id, reference, hypothesis)."""
    return Report([score_file(k, r, h, terms) for k, r, h in pairs])


def reference_prefix(reference: str, hypothesis: str) -> str:
    """The start of `reference` that best matches `hypothesis` (normalised words).

    For scoring only the first minutes of a long recording whose reference covers it
    all: the cut minimises the edit distance between the hypothesis and the prefix.
    """
    import numpy as np

    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    if not hyp:
        return ""
    # prev[j] = edit distance(hyp[:i], ref[:j]); row by row over the hypothesis.
    prev = np.arange(len(ref) + 1, dtype=np.int64)
    ref_arr = np.asarray(ref, dtype=object)
    for i, word in enumerate(hyp, 1):
        sub = prev[:-1] + (ref_arr != word)
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(sub, prev[1:] + 1)
        # insertions along the row: cur[j] = min(cur[j], cur[j-1] + 1), a running minimum
        cur = np.minimum.accumulate(cur - np.arange(len(cur))) + np.arange(len(cur))
        prev = cur
    cut = int(np.argmin(prev))
    return " ".join(ref[:cut])
