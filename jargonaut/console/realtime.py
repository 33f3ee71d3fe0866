"""A pre-signed WebSocket URL for the signed-in account, so the browser never sees its secret."""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from jargonaut.api.sigv4 import Principal, presign_url
from jargonaut.settings import Settings
from jargonaut.stream.params import parse as parse_params

URL_LIFETIME = 300  # seconds: the browser connects right away


def presigned_url(request: Request, principal: Principal, settings: Settings, language: str, sample_rate: int,
                  language_model: str | None) -> str:
    query = {"language-code": language, "media-encoding": "pcm", "sample-rate": str(sample_rate)}
    if language_model:
        query["language-model-name"] = language_model
    parse_params(query)  # the stream endpoint's own checks, reported before the browser connects
    scheme = "wss" if request.url.scheme == "https" else "ws"
    host = request.headers.get("host", request.url.netloc)
    return presign_url(f"{scheme}://{host}/stream-transcription-websocket?{urlencode(query)}", principal,
                       settings.region, "transcribe", URL_LIFETIME)
