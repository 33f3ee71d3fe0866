"""`python -m bench.error_classes`: plain's and the CLM's errors by kind, counts only."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REFERENCE = "Kubelet logs showed the node running low on ephemeral storage."
PLAIN = "Key bullet logs showed the note running low on ephemeral storage."  # term, rare word, insertion
CLM = "Kubelet logs showed the note running low on ephemeral storage."  # the term and the insertion fixed


def _save(path: Path, clips: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"clips": clips}))


def _rows(out: str) -> dict[str, list[str]]:
    return {line.split(" | ")[0].strip("| "): [c.strip(" |") for c in line.split(" | ")[1:]]
            for line in out.splitlines() if line.startswith("| ") and "---" not in line}


def test_errors_are_counted_by_kind_and_no_word_is_printed(tmp_path: Path) -> None:
    _save(tmp_path / "plain" / "devops-16k-plain.json",
          [["test_000", REFERENCE, PLAIN], ["test_001", "we bought a xylophone", "We bought a xylophone."]])
    # the CLM adds an error on a word its text never has
    _save(tmp_path / "clm" / "devops-16k-clm.json",
          [["test_000", REFERENCE, CLM], ["test_001", "we bought a xylophone", "We bought a Kubelet."]])
    out = subprocess.run([sys.executable, "-m", "bench.error_classes", str(tmp_path / "plain"), str(tmp_path / "clm"),
                          "--bands", "16k"], capture_output=True, text=True, check=True).stdout
    rows = _rows(out)
    assert rows["term"] == ["1", "0", "100.0", "33.3"]
    assert rows["rare in text"] == ["1", "1", "0.0", "66.7"]
    assert rows["not in text"] == ["0", "1", "-", "66.7"]
    assert rows["inserted"] == ["1", "0", "100.0", "33.3"]
    assert "errors plain 3, CLM 2, pooled relative reduction 33.3" in out
    assert not any(word in out.lower() for word in ("kubelet", "xylophone", "note"))


def test_a_split_with_no_saved_run_is_refused(tmp_path: Path) -> None:
    _save(tmp_path / "plain" / "devops-16k-plain.json", [["test_000", REFERENCE, PLAIN]])
    _save(tmp_path / "clm" / "devops-16k-clm.json", [["test_000", REFERENCE, CLM]])
    done = subprocess.run([sys.executable, "-m", "bench.error_classes", str(tmp_path / "plain"), str(tmp_path / "clm"),
                           "--split", "held-out", "--bands", "16k"], capture_output=True, text=True)
    assert done.returncode != 0 and "no 16k run of the held-out domains" in done.stderr
