"""GET /stream-transcription-websocket: a pre-signed URL, event-stream messages in binary frames.

Authentication failures refuse the handshake (HTTP 403); once accepted, bad parameters,
limits and decoding errors come back as exception frames before the socket closes.
"""
from __future__ import annotations

import asyncio
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
DRAIN_S = 2.0  # how long a refused stream's unread audio is read and dropped before the close


def _audio_payload(data: bytes) -> bytes | None:
    """The audio one binary frame carries: b"" when it ends the stream (an empty frame or an
    empty AudioEvent), None for an event that is not audio. Raises FramingError."""
    if not data:
        return b""
    event = parse_one(data)
    if event.headers.get(":event-type", "AudioEvent") != "AudioEvent":
        return None
    return event.payload


def _ends_stream(data: bytes | None) -> bool:
    """Whether a frame is the client's end of audio (a malformed one is not)."""
    if data is None:
        return False
    try:
        return _audio_payload(data) == b""
    except FramingError:
        return False


async def _drain(receive: Any) -> None:
    """Read and drop what the client still sends, until it ends its audio, leaves, or DRAIN_S pass.

    Hypercorn closes the TCP connection right after the close frame; audio still arriving then
    makes the kernel answer with a reset, and a reset can destroy the exception and close
    frames before the client reads them.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_S
    while (left := deadline - loop.time()) > 0:
        try:
            message = await asyncio.wait_for(receive(), left)
        except asyncio.TimeoutError:
            return
        if message["type"] == "websocket.disconnect" or _ends_stream(message.get("bytes")):
            return


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
        await _drain(receive)
        await send({"type": "websocket.close", "code": 1000})
        return
    gone = False
    ended = False  # the client sent its end-of-audio frame
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
            nonlocal gone, ended
            while True:
                message = await receive_or_timeout(receive)
                if message["type"] == "websocket.disconnect":
                    gone = True
                    raise ClientGone()
                data = message.get("bytes")
                if data is None:
                    raise FramingError("Send audio as binary frames holding event-stream AudioEvent messages.")
                payload = _audio_payload(data)
                if payload is None:
                    continue
                if not payload:
                    ended = True
                    return
                yield payload

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
                if not ended:
                    await _drain(receive)
                await send({"type": "websocket.close", "code": 1000})
            except Exception:  # noqa: BLE001 - already closed by the peer
                pass
