from __future__ import annotations

from pathlib import Path

import pytest

from tests.stream.audio import encoded_file, pcm_file
from tests.support.server import EVAL, RunningServer, make_server

STREAM_LIMIT = 2


@pytest.fixture(scope="package")
def stream_server(tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    """A server of this package's own: a low per-account stream limit to test it."""
    srv = make_server(
        tmp_path_factory.mktemp("stream"), JARGONAUT_MAX_STREAMS_PER_ACCOUNT=str(STREAM_LIMIT)
    ).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not EVAL.is_dir():
        pytest.fail(f"evaluation data missing at {EVAL}")
    out = tmp_path_factory.mktemp("clips")
    jfk = EVAL / "general" / "audio" / "jfk.flac"
    return {
        "jfk16": pcm_file(jfk, 16000, out / "jfk16.pcm"),
        "jfk8": pcm_file(jfk, 8000, out / "jfk8.pcm"),
        "harvard8": pcm_file(EVAL / "general" / "audio" / "OSR_us_000_0034_8k.wav", 8000, out / "harvard8.pcm"),
        "jfk_flac": encoded_file(jfk, 16000, out / "jfk.flac", "flac", "flac"),
        "jfk_opus": encoded_file(jfk, 48000, out / "jfk.ogg", "ogg", "libopus"),
    }
