import json
import subprocess
import sys

CLI = [sys.executable, "-m", "jargonaut.cli", "lm", "train"]


def test_cli_trains_and_prints_report(small_corpus, tmp_path):
    out = tmp_path / "cli.clm"
    proc = subprocess.run(CLI + ["--training", str(small_corpus), "--output", str(out), "--order", "3",
                                 "--base-model", "NarrowBand", "--json", "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["order"] == 3 and report["base_model_name"] == "NarrowBand" and out.exists()


def test_cli_reports_bad_input(tmp_path):
    bad = tmp_path / "doc.pdf"
    bad.write_bytes(b"%PDF-1.4 binary")
    proc = subprocess.run(CLI + ["--training", str(bad), "--output", str(tmp_path / "x.clm")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "doc.pdf" in proc.stderr and "PDF" in proc.stderr
    assert not (tmp_path / "x.clm").exists()
