"""GET /stream-transcription-websocket: a pre-signed URL, event-stream messages in binary frames.

Authentication failures refuse the handshake (HTTP 403); once accepted, bad parameters,
limits and decoding errors come back as exception frames before the socket closes.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, AsyncIterator
from urllib.parse import parse_qsl

from jargonaut.api.sigv4 import AuthError, SignedRequest, verify_presigned
from jargonaut.errors import JargonautError
from jargonaut.stream.context import StreamContext
from jargonaut.stream.framing import FramingError, exception_event, parse_one
from jargonaut.stream.http2 import SERVICE, _headers
from jargonaut.stream.params import parse
from jargonaut.stream.session import ClientGone, log_stream_end, log_stream_start, receive_or_timeout, run_session

MAX_EXPIRES = 300  # Amazon Transcribe refuses streaming URLs valid for longer


async def _deny(scope: dict[str, Any], send: Any, status: int, aws_type: str, message: str) -> None:
    if "websocket.http.response" in scope.get("extensions", {}):
        body = json.dumps({"__type": aws_type, "Message": message}).encode()
        await send({
            "type": "websocket.http.response.start", "status": status,
            "headers": [(b"content-type", b"application/json"), (b"x-amzn-errortype", aws_type.encode()),
                        (b"content-length", str(len(body)).encode())],
        })
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})


async def handle(ctx: StreamContext, scope: dict[str, Any], receive: Any, send: Any) -> None:
    first = await receive()
    if first["type"] != "websocket.connect":
        return
    query = scope.get("query_string", b"").decode("latin-1")
    headers = _headers(scope)
    try:
        principal, auth_scope = verify_presigned(
            SignedRequest("GET", scope["path"], query, headers, b""), ctx.services.accounts.lookup,
            SERVICE, ctx.regions, max_expires=MAX_EXPIRES,
        )
    except AuthError as exc:
        await _deny(scope, send, 403, exc.aws_type, exc.message)
        return
    request_id = str(uuid.uuid4())
    values = dict(parse_qsl(query, keep_blank_values=True))
    lease = None
    try:
        params = parse(values)
        await send({"type": "websocket.accept", "headers": [(b"x-amzn-request-id", request_id.encode())]})
    except JargonautError as exc:
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "bytes": exception_event(exc.aws_type, exc.message)})
        await send({"type": "websocket.close", "code": 1000})
        return
    gone = False
    try:
        try:
            base = ctx.base_model(params)
            language_model = await ctx.language_model(principal.account_id, auth_scope.region, params)
            word_filter = await ctx.word_filter(principal.account_id, auth_scope.region, params)
            vocabulary = await ctx.vocabulary(principal.account_id, auth_scope.region, params)
            speakers = await ctx.speakers(params)
            lease = ctx.limiter.acquire(principal.account_id)
        except JargonautError as exc:
            await send({"type": "websocket.send", "bytes": exception_event(exc.aws_type, exc.message)})
            return

        async def audio() -> AsyncIterator[bytes]:
            nonlocal gone
            while True:
                message = await receive_or_timeout(receive)
                if message["type"] == "websocket.disconnect":
                    gone = True
                    raise ClientGone()
                data = message.get("bytes")
                if data is None:
                    raise FramingError("Send audio as binary frames holding event-stream AudioEvent messages.")
                if not data:
                    return  # an empty frame ends the stream
                event = parse_one(data)
                if event.headers.get(":event-type", "AudioEvent") != "AudioEvent":
                    continue
                if not event.payload:
                    return  # an empty AudioEvent ends the stream
                yield event.payload

        async def send_frame(frame: bytes) -> None:
            if gone:
                raise ClientGone()
            await send({"type": "websocket.send", "bytes": frame})

        began = log_stream_start("WebSocket", request_id, principal.account_id, auth_scope.region, params)
        try:
            await run_session(params, base, language_model, ctx.pool, audio(), send_frame, word_filter, vocabulary,
                              speakers)
        finally:
            log_stream_end(request_id, began)
    finally:
        if lease is not None:
            lease.release()
        if not gone:
            try:
                await send({"type": "websocket.close", "code": 1000})
            except Exception:  # noqa: BLE001 - already closed by the peer
                pass
