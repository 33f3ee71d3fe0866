"""The CLI (issue 17, finding 9): options after the subcommand, user errors as one line.

Every user error is a single clear line on stderr and exit code 2 (or 1), never a traceback.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import REPO, free_port


def jargonaut(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    # Keys in the caller's environment would take precedence over credentials.json for retrain.
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    return subprocess.run([sys.executable, "-m", "jargonaut.cli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env=env)


def assert_one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode in (1, 2), (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and fragment.lower() in lines[-1].lower(), result.stderr
    assert len([line for line in lines if "error" in line.lower()]) == 1, result.stderr


@pytest.mark.parametrize("order", ["after", "before"])
def test_accounts_accept_data_dir_either_side(tmp_path: Path, order: str):
    data = str(tmp_path / "data")
    create = ["accounts", "create", "--data-dir", data] if order == "after" else ["accounts", "--data-dir", data, "create"]
    made = jargonaut(*create)
    assert made.returncode == 0, made.stderr
    account = json.loads(made.stdout)["account_id"]
    listing = ["accounts", "list", "--data-dir", data] if order == "after" else ["accounts", "--data-dir", data, "list"]
    listed = jargonaut(*listing)
    assert listed.returncode == 0 and account in listed.stdout, listed.stderr


def test_roles_missing_policy_file_is_one_line(tmp_path: Path):
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "transcribe.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    result = jargonaut("roles", "create", "--name", "r", "--trust-policy", str(trust), "--policy",
                       str(tmp_path / "missing.json"), "--account", "123456789012", "--data-dir", str(tmp_path / "d"))
    assert_one_line_error(result, "missing.json")


def test_roles_policy_that_is_not_json_is_one_line(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = jargonaut("roles", "create", "--name", "r", "--trust-policy", str(bad), "--policy", str(bad),
                       "--account", "123456789012", "--data-dir", str(tmp_path / "d"))
    assert_one_line_error(result, "error")


def test_retrain_without_a_server_is_one_line(tmp_path: Path):
    data = tmp_path / "data"
    assert jargonaut("accounts", "create", "--data-dir", str(data)).returncode == 0
    (data / "credentials.json").write_text(json.dumps({"access_key_id": "AKIAEXAMPLE", "secret_access_key": "x"}))
    result = jargonaut("models", "retrain", "m", "--data-dir", str(data),
                       "--endpoint-url", f"http://127.0.0.1:{free_port()}")
    assert_one_line_error(result, "connect")


def test_retrain_without_credentials_is_one_line(tmp_path: Path):
    result = jargonaut("models", "retrain", "m", "--data-dir", str(tmp_path / "nothing"),
                       "--endpoint-url", f"http://127.0.0.1:{free_port()}")
    assert_one_line_error(result, "credentials")


def test_lm_train_missing_file_is_one_line(tmp_path: Path):
    result = jargonaut("lm", "train", "--training", str(tmp_path / "missing.txt"), "--output", str(tmp_path / "o.clm"),
                       "--quiet")
    assert_one_line_error(result, "missing.txt")


def test_transcribe_missing_audio_is_one_line(tmp_path: Path):
    result = jargonaut("transcribe", str(tmp_path / "missing.wav"))
    assert_one_line_error(result, "missing.wav")


def test_eval_missing_manifest_is_one_line(tmp_path: Path):
    result = jargonaut("eval", str(tmp_path / "missing.tsv"))
    assert_one_line_error(result, "missing.tsv")


def test_unknown_option_is_argparse_usage(tmp_path: Path):
    result = jargonaut("accounts", "create", "--no-such-option")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unrecognized arguments" in result.stderr


def test_retrain_is_signed_and_errors_are_one_line(server):
    """The retrain request passes the signed-header rules; an unknown model is one clear line."""
    result = jargonaut("models", "retrain", "no-such-model", "--endpoint-url", server.endpoint,
                       "--data-dir", str(server.data_dir))
    assert_one_line_error(result, "NotFoundException")


def test_buckets_accept_data_dir_after_the_subcommand(tmp_path: Path):
    data = str(tmp_path / "data")
    made = jargonaut("buckets", "create", "--name", "after-sub", "--account", "123456789012", "--data-dir", data)
    assert made.returncode == 0, made.stderr
    listed = jargonaut("buckets", "list", "--data-dir", data)
    assert listed.returncode == 0 and "after-sub" in listed.stdout, listed.stderr
    missing = jargonaut("buckets", "policy", "--name", "after-sub", "--account", "123456789012",
                        "--set", str(tmp_path / "missing.json"), "--data-dir", data)
    assert_one_line_error(missing, "missing.json")
