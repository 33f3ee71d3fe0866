"""GET /stream-transcription-websocket with a pre-signed URL (botocore SigV4QueryAuth) and `websockets`."""
from __future__ import annotations

import time

import pytest
from websockets.exceptions import InvalidStatus

from tests.stream.helpers import cert, final_text, presigned_ws_url, words
from tests.stream.ws_client import run_ws

PARAMS = {"language-code": "en-US", "media-encoding": "pcm", "sample-rate": "16000"}


@pytest.mark.slow
@pytest.mark.parametrize("tls", [False, True])
def test_websocket_stream(stream_server, clips, tls) -> None:
    url = presigned_ws_url(stream_server, PARAMS, tls=tls)
    out = run_ws(url, clips["jfk16"].read_bytes(), cert=cert(stream_server),
                 bytes_per_second=64000)  # 2x real time: partials arrive even on a loaded machine
    assert out["exceptions"] == []
    assert any(e["partial"] for e in out["events"]) and any(not e["partial"] for e in out["events"])
    text = words(final_text(out["events"]))
    assert "country" in text and "ask" in text, text


@pytest.mark.slow
def test_websocket_narrowband(stream_server, clips) -> None:
    url = presigned_ws_url(stream_server, {**PARAMS, "sample-rate": "8000"})
    out = run_ws(url, clips["jfk8"].read_bytes(), chunk=1600)
    assert out["exceptions"] == []
    assert "country" in words(final_text(out["events"]))


def _refused(url: str, clips) -> int:
    with pytest.raises(InvalidStatus) as info:
        run_ws(url, clips["jfk16"].read_bytes()[:3200])
    return info.value.response.status_code


def test_expired_url_is_refused(stream_server, clips) -> None:
    url = presigned_ws_url(stream_server, PARAMS, expires=1)
    time.sleep(2.1)
    assert _refused(url, clips) == 403


def test_tampered_url_is_refused(stream_server, clips) -> None:
    url = presigned_ws_url(stream_server, PARAMS).replace("sample-rate=16000", "sample-rate=8000")
    assert _refused(url, clips) == 403


def test_url_valid_too_long_is_refused(stream_server, clips) -> None:
    assert _refused(presigned_ws_url(stream_server, PARAMS, expires=301), clips) == 403


def test_wrong_secret_is_refused(stream_server, clips) -> None:
    assert _refused(presigned_ws_url(stream_server, PARAMS, secret="y" * 40), clips) == 403


@pytest.mark.parametrize("params, fragment", [
    ({**PARAMS, "sample-rate": "96000"}, "out of range"),
    ({**PARAMS, "media-encoding": "wav"}, "not supported"),
    ({**PARAMS, "language-model-name": "nope"}, "language model"),
])
def test_bad_parameters_come_back_as_exception_frames(stream_server, clips, params, fragment) -> None:
    out = run_ws(presigned_ws_url(stream_server, params), clips["jfk16"].read_bytes()[:6400])
    assert len(out["exceptions"]) == 1, out
    assert out["exceptions"][0]["type"] == "BadRequestException"
    assert fragment in out["exceptions"][0]["message"].lower()


@pytest.mark.slow
def test_a_refused_stream_still_reaches_a_client_sending_fast(stream_server, clips) -> None:
    """The server reads what the client keeps sending before it closes, so no reset eats the exception."""
    params = {**PARAMS, "language-model-name": "nope"}
    for _ in range(5):
        out = run_ws(presigned_ws_url(stream_server, params), clips["jfk16"].read_bytes(), chunk=1024)
        assert [e["type"] for e in out["exceptions"]] == ["BadRequestException"], out
