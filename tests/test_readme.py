"""The README's code blocks, run as written against a test server, in order, in one shell.

Blocks fenced as ```sh run or ```python run are the ones a newcomer types; the test lays out a
working copy like a fresh clone (`.venv`, `../shared`, `data/`), points the README's ports at
the test server and runs them. Blocks without `run` (`make serve` itself, sample output) are not.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.server import REPO, make_server

_BLOCK = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>sh|python) run\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S)


def readme_blocks(text: str) -> list[tuple[str, str]]:
    return [(m["lang"], textwrap.dedent(m["body"])) for m in _BLOCK.finditer(text)]


def as_shell(blocks: list[tuple[str, str]], port: int, tls_port: int) -> str:
    lines = ["set -eo pipefail"]
    for i, (lang, body) in enumerate(blocks):
        body = body.replace("127.0.0.1:8080", f"127.0.0.1:{port}").replace("127.0.0.1:8443", f"127.0.0.1:{tls_port}")
        lines.append(f"echo '>>> README block {i + 1}'")
        lines.append(body if lang == "sh" else f"python - <<'README_PYTHON'\n{body}README_PYTHON")
    return "\n".join(lines) + "\n"


def test_readme_marks_the_first_steps_to_run():
    blocks = readme_blocks((REPO / "README.md").read_text())
    text = "\n".join(body for _, body in blocks)
    assert len(blocks) >= 10
    assert ". .venv/bin/activate" in blocks[0][1] and 'eval "$(jargonaut env)"' in blocks[0][1]
    for needed in ("start-transcription-job", "--output-bucket-name out", "create-language-model",
                   "jargonaut models report", "start_stream_transcription", "boto3.client"):
        assert needed in text, needed


@pytest.mark.slow
def test_readme_code_blocks_run_as_written(tmp_path):
    clone = tmp_path / "jargonaut"
    clone.mkdir()
    (tmp_path / "shared").symlink_to(REPO.parent / "shared")
    (clone / ".venv").symlink_to(Path(sys.executable).resolve().parents[1] if Path(sys.prefix) == Path(sys.base_prefix)
                                 else Path(sys.prefix))
    server = make_server(clone).start()
    try:
        script = as_shell(readme_blocks((REPO / "README.md").read_text()), server.port, server.tls_port)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JARGONAUT_"))}
        env.update({
            # the shell's `jargonaut` imports this tree; its settings name the test server's ports
            "PYTHONPATH": str(REPO), "JARGONAUT_PORT": str(server.port), "JARGONAUT_TLS_PORT": str(server.tls_port),
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PAGER": "",
            "HOME": str(tmp_path),
        })
        result = subprocess.run(["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True,
                                timeout=900)
    finally:
        server.stop()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    lowered = result.stdout.lower()
    assert lowered.count("ask not what your country can do for you") >= 2, result.stdout  # CLI and boto3
    assert "to-my-bucket.json" in result.stdout
    assert "COMPLETED [{'Key': 'team', 'Value': 'docs'}]" in result.stdout
    assert "arn:aws:iam::" in result.stdout and "domain terms" in result.stdout
    assert "apixaban" in lowered and "warfarin" in lowered  # the CLM job and the CLM stream
