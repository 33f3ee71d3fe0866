"""`eval` and `transcribe` subcommands, run as a user would (subprocess)."""
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "jargonaut.cli", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_eval_manifest_with_clm_and_terms(eval_dir, biomed_clm_path, tmp_path):
    out = _run(
        "eval", str(eval_dir / "biomed-tts" / "test.tsv"), "--ids", "test_000,test_001",
        "--language-model", str(biomed_clm_path), "--terms", str(eval_dir / "biomed-tts" / "domain_terms.txt"),
    )
    assert "test_000" in out and "TOTAL" in out and "term recall" in out


def test_eval_general_manifest_narrowband(eval_dir, tmp_path):
    manifest = tmp_path / "manifest.tsv"
    audio = eval_dir / "general" / "audio"
    manifest.write_text(
        "audio\treference\tsample_rate\tsource\n"
        f"{audio / 'LDC93S1_8k.wav'}\tShe had your dark suit in greasy wash water all year.\t8000\ttimit\n"
    )
    out = _run("eval", str(manifest), "--base-model", "NarrowBand", "--errors")
    total = [line for line in out.splitlines() if line.startswith("TOTAL")][0]
    assert float(total.split()[-1]) < 30.0
    # the breakdown adds up to the total
    counts = [line for line in out.splitlines() if line.startswith("errors ")][0]
    s, d, i = (int(part.split()[-1]) for part in counts.split(":", 1)[1].split(","))
    assert s + d + i == int(total.split()[-2])
    assert "top substitutions" in out and "runs of 5+" in out


def test_transcribe_with_clm(eval_dir, biomed_clm_path):
    out = _run("transcribe", str(eval_dir / "biomed-tts" / "wav16" / "test_001.wav"), "--language-model", str(biomed_clm_path))
    assert "patient" in out.lower()
