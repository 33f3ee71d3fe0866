"""`python -m bench.compare`: two saved domain-suite runs, compared clip by clip."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REFERENCE = "the pod was evicted when the node ran out of memory"
WRONG = "the pot was evicted when the note ran out of memory"


def _save(folder: Path, name: str, hypotheses: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    clips = [[f"test_{i:03d}", REFERENCE, h] for i, h in enumerate(hypotheses)]
    (folder / name).write_text(json.dumps({"clips": clips}))


def test_a_clear_gain_and_noise_are_told_apart(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    _save(before, "devops-16k-clm.json", [WRONG] * 40)
    _save(after, "devops-16k-clm.json", [REFERENCE] * 30 + [WRONG] * 10)  # 30 clips fixed
    _save(before, "legal-8k-clm.json", [WRONG] * 40)
    _save(after, "legal-8k-clm.json", [REFERENCE] + [WRONG] * 39)  # one clip fixed
    _save(after, "finance-16k-clm.json", [WRONG] * 40)  # only in one run: left out
    out = subprocess.run([sys.executable, "-m", "bench.compare", str(before), str(after)],
                         capture_output=True, text=True, check=True).stdout
    rows = {line.split(" | ")[0].strip("| ") + "-" + line.split(" | ")[1]: line.split(" | ")
            for line in out.splitlines() if line.startswith("| ") and "---" not in line}
    assert rows["devops-16k"][3:7] == ["80", "20", "30", "0"] and rows["devops-16k"][-1].startswith("better")
    assert rows["legal-8k"][3:7] == ["80", "78", "1", "0"] and rows["legal-8k"][-1].startswith("unclear")
    assert "finance-16k" not in rows and "**mean**-16k" in rows


def test_runs_with_nothing_in_common_are_refused(tmp_path: Path) -> None:
    _save(tmp_path / "a", "devops-16k-clm.json", [WRONG])
    _save(tmp_path / "b", "legal-16k-clm.json", [WRONG])
    done = subprocess.run([sys.executable, "-m", "bench.compare", str(tmp_path / "a"), str(tmp_path / "b")],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "no domain and band saved in both" in done.stderr


def _save_long(folder: Path, name: str, hypotheses: list[str]) -> None:
    """A `--long-only` save: one recording of the clips, its text the hypotheses joined."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = [[f"test_{i:03d}", REFERENCE] for i in range(len(hypotheses))]
    long = [" ".join(REFERENCE for _ in hypotheses), " ".join(hypotheses)]
    (folder / name).write_text(json.dumps({"clips": [], "long": long, "long_clips": clips}))


def test_long_recordings_are_compared_clip_by_clip(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    _save_long(before, "devops-16k-clm.json", [WRONG] * 40)
    _save_long(after, "devops-16k-clm.json", [REFERENCE] * 30 + [WRONG] * 10)  # 30 sentences fixed
    out = subprocess.run([sys.executable, "-m", "bench.compare", str(before), str(after), "--long"],
                         capture_output=True, text=True, check=True).stdout
    row = next(line.split(" | ") for line in out.splitlines() if line.startswith("| devops"))
    assert row[2:7] == ["40", "80", "20", "30", "0"] and row[-1].startswith("better")


def test_a_save_without_its_long_recording_is_refused_by_long(tmp_path: Path) -> None:
    _save(tmp_path / "a", "devops-16k-clm.json", [WRONG])
    _save(tmp_path / "b", "devops-16k-clm.json", [WRONG])
    done = subprocess.run([sys.executable, "-m", "bench.compare", str(tmp_path / "a"), str(tmp_path / "b"), "--long"],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "no long recording" in done.stderr
