"""Is a WER difference real? A paired bootstrap over files (Bisani & Ney, 2004).

Two systems transcribed the same files; resampling the files with replacement, both systems
together, gives the spread of the relative WER reduction that another draw of equally many
files from the same source would show. A 40-clip domain moves by a point or more when a
single clip changes, so a setting is only better where the interval says so, and a held-out
number is reported with its interval.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from jargonaut.evaluate.metrics import FileScore

RESAMPLES = 2000
LEVEL = 0.95
SEED = 20041  # fixed: the same files give the same interval on every machine


@dataclass(frozen=True)
class PairedComparison:
    """`system` against `baseline` on the same files."""

    files: int
    words: int
    baseline_errors: int
    system_errors: int
    better_files: int  # files where the system made fewer errors
    worse_files: int
    low: float | None  # the interval of the relative reduction; None without baseline errors
    high: float | None
    saved_low: float  # the interval of the errors saved (baseline errors - system errors)
    saved_high: float
    draws: np.ndarray = field(repr=False, compare=False)  # the resampled relative reductions

    @property
    def relative_reduction(self) -> float | None:
        """(baseline WER - system WER) / baseline WER: > 0 where the system is better."""
        if not self.baseline_errors:
            return None
        return (self.baseline_errors - self.system_errors) / self.baseline_errors

    @property
    def verdict(self) -> str:
        """"better" or "worse" where the interval of the errors saved is on one side of 0 (it
        exists where the baseline made no errors), else "unclear"."""
        return verdict(self.saved_low, self.saved_high)


def verdict(low: float | None, high: float | None) -> str:
    """"better" or "worse" where an interval of gains lies on one side of 0, else "unclear"."""
    if low is not None and low > 0:
        return "better"
    if high is not None and high < 0:
        return "worse"
    return "unclear"


def compare(baseline: Sequence[FileScore], system: Sequence[FileScore], resamples: int = RESAMPLES,
            level: float = LEVEL, seed: int = SEED) -> PairedComparison:
    """Pair the two systems' scores by file key and bootstrap the relative reduction."""
    by_key = {f.id: f for f in system}
    missing = [f.id for f in baseline if f.id not in by_key]
    if missing or len(by_key) != len(baseline):
        raise ValueError(f"the two systems scored different files (e.g. {(missing or list(by_key))[0]!r})")
    base = np.array([f.errors for f in baseline], dtype=np.int64)
    other = np.array([by_key[f.id].errors for f in baseline], dtype=np.int64)
    words = int(sum(f.words for f in baseline))
    picks = np.random.default_rng(seed).integers(0, max(len(base), 1), size=(resamples, len(base)))
    base_sums, other_sums = base[picks].sum(axis=1), other[picks].sum(axis=1)
    kept = base_sums > 0  # a draw without baseline errors has no relative reduction
    draws = (base_sums[kept] - other_sums[kept]) / base_sums[kept]
    low, high = interval(draws, level)
    saved_low, saved_high = interval((base_sums - other_sums).astype(float), level)
    return PairedComparison(len(base), words, int(base.sum()), int(other.sum()), int((other < base).sum()),
                            int((other > base).sum()), low, high, saved_low or 0.0, saved_high or 0.0, draws)


def interval(draws: np.ndarray, level: float = LEVEL) -> tuple[float | None, float | None]:
    """The central `level` interval of bootstrap draws (percentile method)."""
    if not len(draws):
        return None, None
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def mean_interval(comparisons: Sequence[PairedComparison], level: float = LEVEL) -> tuple[float | None, float | None]:
    """The interval of the mean relative reduction over independent sets (domains): each set's
    draws resampled on their own, averaged draw by draw."""
    usable = [c.draws for c in comparisons if len(c.draws)]
    if not usable or len(usable) != len(comparisons):
        return None, None
    size = min(len(d) for d in usable)
    # Sets of equal size drew the same file positions (one seed); shuffling each set's draws
    # on its own pairs them at random, as independent sets should be.
    shuffled = [np.random.default_rng(SEED + i).permutation(d)[:size] for i, d in enumerate(usable)]
    return interval(np.mean(shuffled, axis=0), level)
