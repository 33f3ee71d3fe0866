"""Raw signed HTTP for tests that send what boto3 would refuse to (bad JSON, wrong types)."""
from __future__ import annotations

import http.client
import json
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

JSON_TYPE = "application/x-amz-json-1.1"


def signed_headers(server, target: str | None, body: bytes, content_type: str = JSON_TYPE) -> dict[str, str]:
    """Headers of a POST / signed with the server's default account, as botocore signs them."""
    creds = server.credentials
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials(creds["access_key_id"], creds["secret_access_key"]), "transcribe", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def post(server, body: bytes, headers: dict[str, str], timeout: float = 30) -> tuple[int, Any]:
    """POST / on a fresh connection; the JSON answer (or the raw bytes when it is not JSON)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw


def signed_post(server, target: str | None, body: bytes, timeout: float = 30) -> tuple[int, Any]:
    return post(server, body, signed_headers(server, target, body), timeout)


def assert_aws_error(status: int, payload: Any) -> None:
    """A 4xx with an AWS JSON error body: `__type` and a non-empty message."""
    assert 400 <= status < 500, (status, payload)
    assert isinstance(payload, dict), payload
    assert isinstance(payload.get("__type"), str) and payload["__type"], payload
    message = payload.get("Message") or payload.get("message")
    assert isinstance(message, str) and message, payload
