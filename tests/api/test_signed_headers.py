"""SigV4: what the signature must cover (issue 17, finding 2).

A signature over `x-amz-date` alone once let a GetTranscriptionJob be replayed as
DeleteTranscriptionJob against another host. The server now requires the host (or HTTP/2's
`:authority`) and, where sent, X-Amz-Target, Content-Type and X-Amz-Date to be signed.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

JSON_TYPE = "application/x-amz-json-1.1"


class _SignOnly(SigV4Auth):
    """botocore's signer restricted to the headers named (it would otherwise always add host)."""

    def __init__(self, credentials: Credentials, names: list[str]) -> None:
        super().__init__(credentials, "transcribe", "us-east-1")
        self._names = names

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name in self._names:
            # HTTP/2 clients sign `:authority`, the value of the Host header.
            chosen[name] = request.headers["host"] if name == ":authority" else request.headers[name]
        return chosen


class _QuerySignOnly(SigV4QueryAuth):
    def __init__(self, credentials: Credentials, names: list[str]) -> None:
        super().__init__(credentials, "transcribe", "us-east-1", expires=300)
        self._names = names

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name in self._names:
            chosen[name] = request.headers[name]
        return chosen


def _creds(server) -> Credentials:
    c = server.credentials
    return Credentials(c["access_key_id"], c["secret_access_key"])


def _signed_headers(server, target: str, body: bytes, names: list[str]) -> dict[str, str]:
    host = f"127.0.0.1:{server.port}"
    request = AWSRequest(
        method="POST", url=server.endpoint + "/", data=body,
        headers={"X-Amz-Target": target, "Content-Type": JSON_TYPE, "Host": host},
    )
    _SignOnly(_creds(server), names).add_auth(request)
    return dict(request.headers.items())


def _post(server, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(server.endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_target_swap_on_a_date_only_signature_is_refused(server):
    name = f"signed-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"TranscriptionJobName": name}).encode()
    headers = _signed_headers(server, "Transcribe.GetTranscriptionJob", body, ["x-amz-date"])
    headers["X-Amz-Target"] = "Transcribe.DeleteTranscriptionJob"
    headers["Host"] = "attacker.example"
    status, payload = _post(server, body, headers)
    assert status == 403, payload
    assert payload["__type"] == "IncompleteSignatureException"
    assert "host" in payload["Message"].lower()
    # Signed as it should be, the same body reaches the operation (the job is simply unknown).
    headers = _signed_headers(server, "Transcribe.DeleteTranscriptionJob", body,
                              ["content-type", "host", "x-amz-date", "x-amz-target"])
    status, payload = _post(server, body, headers)
    assert status in (400, 404) and payload["__type"] in ("NotFoundException", "BadRequestException"), payload


@pytest.mark.parametrize("left_out", ["x-amz-target", "content-type", "x-amz-date"])
def test_each_meaningful_header_must_be_signed(server, left_out):
    body = b"{}"
    names = [n for n in ("content-type", "host", "x-amz-date", "x-amz-target") if n != left_out]
    status, payload = _post(server, body, _signed_headers(server, "Transcribe.ListTranscriptionJobs", body, names))
    assert status == 403 and payload["__type"] == "IncompleteSignatureException", payload
    assert left_out in payload["Message"].lower()


def test_fully_signed_request_is_accepted(server):
    body = b"{}"
    names = ["content-type", "host", "x-amz-date", "x-amz-target"]
    status, payload = _post(server, body, _signed_headers(server, "Transcribe.ListTranscriptionJobs", body, names))
    assert status == 200 and "TranscriptionJobSummaries" in payload


def test_authority_stands_for_host(server):
    """A client that signs `:authority` (HTTP/2 SDKs) is verified against the request's host."""
    body = b"{}"
    names = [":authority", "content-type", "x-amz-date", "x-amz-target"]
    headers = _signed_headers(server, "Transcribe.ListTranscriptionJobs", body, names)
    status, payload = _post(server, body, headers)
    assert status == 200 and "TranscriptionJobSummaries" in payload, payload
    headers["Host"] = "attacker.example"
    status, payload = _post(server, body, headers)
    assert status == 403 and payload["__type"] == "InvalidSignatureException", payload


def test_presigned_url_must_sign_host(server):
    account = server.credentials["account_id"]
    url = f"{server.endpoint}/transcripts/us-east-1/{account}/no-such-job.json"

    def fetch(names: list[str] | None) -> tuple[int, dict]:
        request = AWSRequest(method="GET", url=url, headers={"x-probe": "1", "host": f"127.0.0.1:{server.port}"})
        if names is None:
            SigV4QueryAuth(_creds(server), "transcribe", "us-east-1", expires=300).add_auth(request)
        else:
            _QuerySignOnly(_creds(server), names).add_auth(request)
        try:
            with urllib.request.urlopen(urllib.request.Request(request.url, headers={"x-probe": "1"}), timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    status, payload = fetch(["x-probe"])
    assert status == 403 and payload["__type"] == "IncompleteSignatureException", payload
    status, payload = fetch(None)  # botocore signs host: authenticated, then the job is unknown
    assert status in (400, 404) and payload["__type"] != "IncompleteSignatureException", payload


def test_boto3_and_its_headers_still_work(server):
    with pytest.raises(ClientError) as missing:
        server.client().get_transcription_job(TranscriptionJobName="no-such-job-signed")
    assert missing.value.response["Error"]["Code"] in ("NotFoundException", "BadRequestException")
