"""The streaming endpoints in front of the main app (called by `jargonaut.api.app.create_app`)."""
from __future__ import annotations

from typing import Any

from jargonaut.stream import http2, websocket
from jargonaut.stream.context import StreamContext

HTTP_PATH = "/stream-transcription"
WEBSOCKET_PATH = "/stream-transcription-websocket"


def wrap_streaming(app: Any, services: Any) -> Any:
    """Raw ASGI dispatcher: the two streaming routes here, everything else to `app`."""
    ctx = StreamContext(services)

    async def dispatch(scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind, path = scope["type"], scope.get("path")
        if kind == "http" and path == HTTP_PATH:
            await http2.handle(ctx, scope, receive, send)
        elif kind == "websocket" and path == WEBSOCKET_PATH:
            await websocket.handle(ctx, scope, receive, send)
        else:
            await app(scope, receive, send)

    dispatch.stream_context = ctx  # type: ignore[attr-defined]  # for tests and introspection
    return dispatch
