"""Shared bits for the streaming tests: SDK specs, WebSocket URLs, text checks."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support.server import REGION, RunningServer


def spec(server: RunningServer, audio: Path, rate: int, **extra: Any) -> dict[str, Any]:
    creds = server.credentials
    return {
        "endpoint": f"https://127.0.0.1:{server.tls_port}",
        "access_key_id": creds["access_key_id"],
        "secret_access_key": creds["secret_access_key"],
        "audio_path": str(audio),
        "sample_rate": rate,
        "region": REGION,
        **extra,
    }


def cert(server: RunningServer) -> Path:
    return server.data_dir / "tls" / "cert.pem"


def presigned_ws_url(server: RunningServer, params: dict[str, str], expires: int = 300,
                     secret: str | None = None, tls: bool = False) -> str:
    creds = server.credentials
    scheme, port = ("wss", server.tls_port) if tls else ("ws", server.port)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    request = AWSRequest(method="GET", url=f"{scheme}://127.0.0.1:{port}/stream-transcription-websocket?{query}")
    SigV4QueryAuth(
        Credentials(creds["access_key_id"], secret or creds["secret_access_key"]), "transcribe", REGION, expires=expires
    ).add_auth(request)
    return request.url


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def finals(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if not e["partial"]]


def final_text(events: list[dict[str, Any]]) -> str:
    return " ".join(e["text"] for e in finals(events))
