"""Training-text warnings (lm.text_checks) and that they reach the training report."""
from __future__ import annotations

from jargonaut.lm.text_checks import SMALL_TEXT_WORDS, text_warnings


def write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def sentences(count: int) -> list[str]:
    return [f"Patient {i} started Apixaban at the Mayo Clinic in week {i % 7}." for i in range(count)]


def test_well_formed_text_has_no_warnings(tmp_path):
    lines = sentences(SMALL_TEXT_WORDS // 10 + 10)
    assert text_warnings([write(tmp_path, "ok.txt", lines)]) == []


def test_each_problem_is_named(tmp_path):
    lower = write(tmp_path, "lower.txt", [s.lower() for s in sentences(1500)])
    assert [w for w in text_warnings([lower]) if "all lower case" in w]
    upper = write(tmp_path, "upper.txt", [s.upper() for s in sentences(1500)])
    assert [w for w in text_warnings([upper]) if "all upper case" in w]
    small = write(tmp_path, "small.txt", sentences(20))
    assert [w for w in text_warnings([small]) if "with less than" in w]
    long_lines = write(tmp_path, "long.txt", [" ".join(sentences(40))] * 2)
    assert [w for w in text_warnings([long_lines]) if "one sentence or paragraph per line" in w]
    repeated = write(tmp_path, "repeated.txt", sentences(5) * 20)
    assert [w for w in text_warnings([repeated]) if "repeat earlier ones" in w]
    # Spread over several files, the text is judged as a whole.
    halves = [write(tmp_path, "a.txt", sentences(1500)[:750]), write(tmp_path, "b.txt", sentences(1500)[750:])]
    assert text_warnings(halves) == []
