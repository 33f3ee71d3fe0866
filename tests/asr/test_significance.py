"""The paired bootstrap (evaluate/significance.py) on scored transcripts."""
from __future__ import annotations

import pytest

from jargonaut.evaluate.metrics import score_files
from jargonaut.evaluate.significance import compare, mean_interval

REFERENCE = "the patient started apixaban for atrial fibrillation last week"


def _scores(hypotheses: list[str]) -> list:
    return score_files([(f"clip{i}", REFERENCE, h) for i, h in enumerate(hypotheses)]).files


def test_identical_systems_differ_by_nothing() -> None:
    plain = _scores(["the patient started a pick sabin for atrial fibrillation last week"] * 30)
    same = compare(plain, plain)
    assert same.relative_reduction == 0 and (same.low, same.high) == (0.0, 0.0)
    assert same.verdict == "unclear" and same.better_files == same.worse_files == 0


def test_a_fix_on_every_file_is_better_and_a_break_on_every_file_is_worse() -> None:
    plain = _scores(["the patient started a pick sabin for atrial fibrillation last week"] * 30)
    fixed = _scores([REFERENCE] * 30)
    better = compare(plain, fixed)
    assert better.relative_reduction == 1.0 and better.verdict == "better" and better.better_files == 30
    worse = compare(fixed, plain)
    assert worse.relative_reduction is None and worse.verdict == "worse"  # no baseline errors: no ratio
    broken = _scores(["the patient started a pick sabin for a trial fibrillation last week"] * 30)
    assert compare(plain, broken).verdict == "worse" and compare(plain, broken).worse_files == 30


def test_one_changed_file_among_forty_is_not_a_finding() -> None:
    plain = _scores(["the patient started a pick sabin for atrial fibrillation last week"] * 40)
    one_fixed = _scores([REFERENCE] + ["the patient started a pick sabin for atrial fibrillation last week"] * 39)
    found = compare(plain, one_fixed)
    assert found.relative_reduction is not None and found.relative_reduction > 0
    assert found.low is not None and found.low <= 0 <= found.high and found.verdict == "unclear"
    assert (found.better_files, found.worse_files) == (1, 0)


def test_the_interval_is_the_same_on_every_run() -> None:
    plain = _scores(["the patient started a pick sabin for atrial fibrillation last week",
                     "the patient started apixaban for a trial fibrillation last week", REFERENCE] * 10)
    fused = _scores([REFERENCE, "the patient started apixaban for a trial fibrillation last weak", REFERENCE] * 10)
    first, second = compare(plain, fused), compare(plain, fused)
    assert (first.low, first.high) == (second.low, second.high)
    assert first.low < first.relative_reduction < first.high


def test_the_mean_over_sets_is_narrower_than_its_sets() -> None:
    plain = _scores(["the patient started a pick sabin for atrial fibrillation last week", REFERENCE] * 20)
    fused = _scores([REFERENCE, REFERENCE, "the patient started apixaban for a trial fibrillation last week",
                     REFERENCE] * 10)
    one = compare(plain, fused)
    low, high = mean_interval([one, compare(plain, fused)])
    assert low is not None and high is not None and one.low is not None and one.high is not None
    assert high - low < one.high - one.low


def test_systems_that_scored_different_files_cannot_be_compared() -> None:
    with pytest.raises(ValueError, match="different files"):
        compare(_scores([REFERENCE] * 3), _scores([REFERENCE] * 2))
