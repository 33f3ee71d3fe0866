"""SigV4 verification: the server refuses anything not signed with the account's secret."""
from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def _post(server, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(server.endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _signed(server, target: str, body: bytes, secret: str | None = None, when: dt.datetime | None = None,
            region: str = "us-east-1") -> dict[str, str]:
    creds = server.credentials
    request = AWSRequest(
        method="POST", url=server.endpoint + "/", data=body,
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
    )
    signer = SigV4Auth(Credentials(creds["access_key_id"], secret or creds["secret_access_key"]), "transcribe", region)
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
            signer.add_auth(request)
    return dict(request.headers.items())


def test_valid_raw_signature_is_accepted(server):
    body = b"{}"
    status, payload = _post(server, body, _signed(server, "Transcribe.ListTranscriptionJobs", body))
    assert status == 200 and "TranscriptionJobSummaries" in payload


def test_missing_authentication(server):
    status, payload = _post(server, b"{}", {"X-Amz-Target": "Transcribe.ListTranscriptionJobs", "Content-Type": "application/x-amz-json-1.1"})
    assert status == 403 and payload["__type"] == "MissingAuthenticationTokenException"


def test_wrong_secret_key(server):
    creds = dict(server.credentials, secret_access_key="x" * 40)
    with pytest.raises(ClientError) as denied:
        server.client(creds).list_transcription_jobs()
    assert denied.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_access_key(server):
    creds = dict(server.credentials, access_key_id="AKIAUNKNOWNUNKNOWN00")
    with pytest.raises(ClientError) as denied:
        server.client(creds).list_transcription_jobs()
    assert denied.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_tampered_body(server):
    headers = _signed(server, "Transcribe.ListTranscriptionJobs", b"{}")
    status, payload = _post(server, b'{"MaxResults": 7}', headers)
    assert status == 403 and payload["__type"] == "InvalidSignatureException"


def test_stale_date_is_rejected(server):
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=6)
    body = b"{}"
    status, payload = _post(server, body, _signed(server, "Transcribe.ListTranscriptionJobs", body, when=when))
    assert status == 403 and payload["__type"] == "InvalidSignatureException"
    assert "expired" in payload["Message"].lower()
    recent = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=4)
    status, _ = _post(server, body, _signed(server, "Transcribe.ListTranscriptionJobs", body, when=recent))
    assert status == 200


def test_wrong_region_scope(server):
    body = b"{}"
    status, payload = _post(server, body, _signed(server, "Transcribe.ListTranscriptionJobs", body, region="mars-north-1"))
    assert status == 403 and "region" in payload["Message"]


def test_unknown_and_unsupported_operations(server):
    body = b"{}"
    status, payload = _post(server, body, _signed(server, "Transcribe.MakeCoffee", body))
    assert status == 400 and payload["__type"] == "UnknownOperationException"
    status, payload = _post(server, body, _signed(server, "Transcribe.ListMedicalVocabularies", body))
    assert status == 400 and "not supported" in payload["Message"]
    status, payload = _post(server, b"{not json", _signed(server, "Transcribe.ListTranscriptionJobs", b"{not json"))
    assert status == 400 and payload["__type"] == "SerializationException"


def test_https_port_serves_the_api_with_its_certificate(server):
    import boto3

    creds = server.credentials
    client = boto3.client(
        "transcribe", endpoint_url=f"https://127.0.0.1:{server.tls_port}", region_name="us-east-1",
        aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
        verify=str(server.data_dir / "tls" / "cert.pem"),
    )
    assert "TranscriptionJobSummaries" in client.list_transcription_jobs()
    # The certificate and key the server created on first start; the key is private.
    assert (server.data_dir / "tls" / "key.pem").stat().st_mode & 0o077 == 0
    assert (server.data_dir / "credentials.json").stat().st_mode & 0o777 == 0o600
