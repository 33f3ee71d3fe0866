"""Unauthenticated memory and connection use (issue 17, finding 4).

Bodies are capped (JARGONAUT_MAX_REQUEST_BYTES) and refused by Content-Length before they
are read; what can be checked of the signature is checked before the body is read; a body
that stalls is dropped after JARGONAUT_REQUEST_BODY_TIMEOUT; a disconnect is one log line.
"""
from __future__ import annotations

import hashlib
import json
import socket
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.api.wire import JSON_TYPE, assert_aws_error, signed_headers, signed_post
from tests.support.server import make_server

CAP = 64 * 1024
BODY_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory):
    srv = make_server(
        tmp_path_factory.mktemp("limits"),
        JARGONAUT_MAX_REQUEST_BYTES=str(CAP),
        JARGONAUT_REQUEST_BODY_TIMEOUT=str(BODY_TIMEOUT_S),
        JARGONAUT_READ_TIMEOUT=str(BODY_TIMEOUT_S * 3),
    ).start()
    yield srv
    srv.stop()


def _connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    return sock


def _head(server, headers: dict[str, str], length: int | None) -> bytes:
    lines = ["POST / HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in ("content-length", "transfer-encoding", "host")]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response(sock: socket.socket) -> tuple[int, dict]:
    """Read one HTTP response (status and JSON body) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    try:
        return status, json.loads(rest[:length])
    except ValueError:
        raise AssertionError(f"not an AWS JSON answer: {data!r}") from None


def test_oversized_content_length_is_refused_before_the_body(limited_server):
    headers = signed_headers(limited_server, "Transcribe.ListTranscriptionJobs", b"{}")
    with _connect(limited_server) as sock:
        # Claims 100 MB, sends 1 KB of it: the answer must not wait for the rest.
        sock.sendall(_head(limited_server, headers, 100 * 1024 * 1024) + b" " * 1024)
        started = time.monotonic()
        status, payload = _response(sock)
    assert time.monotonic() - started < BODY_TIMEOUT_S
    assert status == 413, payload
    assert_aws_error(status, payload)
    assert str(CAP) in payload["Message"]


def test_oversized_chunked_body_is_cut_off(limited_server):
    body = json.dumps({"JobNameContains": "x" * (2 * CAP)}).encode()
    headers = signed_headers(limited_server, "Transcribe.ListTranscriptionJobs", body)
    with _connect(limited_server) as sock:
        sock.sendall(_head(limited_server, headers, None))
        try:
            for start in range(0, len(body), 8192):
                piece = body[start:start + 8192]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close as soon as it has answered
        status, payload = _response(sock)
    assert status == 413, payload
    assert_aws_error(status, payload)


def test_unauthenticated_body_is_never_read(limited_server):
    """Unknown key: refused on the headers alone, while the client is still sending."""
    headers = signed_headers(limited_server, "Transcribe.ListTranscriptionJobs", b"{}")
    headers["Authorization"] = headers["Authorization"].replace(
        limited_server.credentials["access_key_id"], "AKIAUNKNOWNUNKNOWN00"
    )
    with _connect(limited_server) as sock:
        sock.sendall(_head(limited_server, headers, CAP - 1) + b"{")  # a body within the cap, mostly never sent
        status, payload = _response(sock)
    assert status == 403 and payload["__type"] == "UnrecognizedClientException", payload


def test_content_sha256_is_verified_before_the_body(limited_server):
    """With x-amz-content-sha256 signed, a bad signature is refused before any body byte."""
    creds = limited_server.credentials
    body = b"{}"
    request = AWSRequest(
        method="POST", url=limited_server.endpoint + "/", data=body,
        headers={"X-Amz-Target": "Transcribe.ListTranscriptionJobs", "Content-Type": JSON_TYPE,
                 "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()},
    )
    SigV4Auth(Credentials(creds["access_key_id"], "y" * 40), "transcribe", "us-east-1").add_auth(request)
    with _connect(limited_server) as sock:
        sock.sendall(_head(limited_server, dict(request.headers.items()), CAP - 1))
        status, payload = _response(sock)
    assert status == 403 and payload["__type"] == "InvalidSignatureException", payload
    # The same, correctly signed, is served once its body arrives.
    del request.headers["Authorization"]
    del request.headers["X-Amz-Date"]
    SigV4Auth(Credentials(creds["access_key_id"], creds["secret_access_key"]), "transcribe", "us-east-1").add_auth(request)
    with _connect(limited_server) as sock:
        sock.sendall(_head(limited_server, dict(request.headers.items()), len(body)) + body)
        status, payload = _response(sock)
    assert status == 200 and "TranscriptionJobSummaries" in payload, payload


def test_stalled_body_is_dropped_after_the_timeout(limited_server):
    headers = signed_headers(limited_server, "Transcribe.ListTranscriptionJobs", b"{}")
    with _connect(limited_server) as sock:
        sock.sendall(_head(limited_server, headers, 2) + b"{")  # one byte of two, then silence
        started = time.monotonic()
        try:
            status, payload = _response(sock)
        except ConnectionError:
            status, payload = None, None  # dropped without an answer is fine too
        waited = time.monotonic() - started
    assert waited < BODY_TIMEOUT_S * 4, waited
    if status is not None:
        assert status == 408, payload
        assert_aws_error(status, payload)


def test_disconnect_mid_body_is_one_log_line(limited_server):
    headers = signed_headers(limited_server, "Transcribe.ListTranscriptionJobs", b"{}")
    for _ in range(3):
        with _connect(limited_server) as sock:
            sock.sendall(_head(limited_server, headers, 1000) + b"{")
        time.sleep(0.2)
    time.sleep(0.5)
    # The server still answers, and its log has no traceback for the disconnects.
    status, payload = signed_post(limited_server, "Transcribe.ListTranscriptionJobs", b"{}")
    assert status == 200, payload
    log = limited_server.log_path.read_text(errors="replace")
    assert "Traceback" not in log
    assert log.count("disconnected") >= 3
