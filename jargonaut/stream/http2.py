"""POST /stream-transcription (StartStreamTranscription) as raw ASGI over HTTP/2.

Raw ASGI because Starlette's StreamingResponse + request.stream() under Hypercorn loses
request-body chunks (DESIGN.md). Status and headers go out before any audio is awaited:
the SDK waits for them before it starts sending.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, AsyncIterator

from jargonaut.api.faults import http_status
from jargonaut.api.sigv4 import AuthError, SignedRequest, verify_header
from jargonaut.errors import JargonautError
from jargonaut.stream.chain import ChunkChain
from jargonaut.stream.context import StreamContext
from jargonaut.stream.framing import MessageReader, parse_one
from jargonaut.stream.params import from_headers
from jargonaut.stream.session import ClientGone, log_stream_end, log_stream_start, receive_or_timeout, run_session

SERVICE = "transcribe"
log = logging.getLogger(__name__)
DRAIN_TIMEOUT_S = 3.0  # how long to read a finished stream's leftover request body
EVENTSTREAM = "application/vnd.amazon.eventstream"


async def _drain_request(receive: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers[name.decode("latin-1").lower()] = value.decode("latin-1")
    return headers


async def _error(send: Any, status: int, aws_type: str, message: str, request_id: str) -> None:
    body = json.dumps({"__type": aws_type, "Message": message}).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [
            (b"content-type", b"application/x-amz-json-1.1"),
            (b"x-amzn-errortype", aws_type.encode()),
            (b"x-amzn-requestid", request_id.encode()),
            (b"x-amzn-request-id", request_id.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    })
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def handle(ctx: StreamContext, scope: dict[str, Any], receive: Any, send: Any) -> None:
    request_id = str(uuid.uuid4())
    if scope["method"] != "POST":
        await _error(send, 405, "BadRequestException", "Use POST for /stream-transcription.", request_id)
        return
    headers = _headers(scope)
    log.debug("http2 request headers: %s", {k: v for k, v in headers.items() if k != "authorization"})
    settings = ctx.settings
    request = SignedRequest(
        method="POST", path=scope["path"], query=scope.get("query_string", b"").decode("latin-1"),
        headers=headers, body=b"",
    )
    try:
        # The SDK signs the headers only; the body is covered by the chunk-signature chain.
        principal, auth_scope, seed = verify_header(
            request, ctx.services.accounts.lookup, SERVICE, ctx.regions, settings.max_clock_skew
        )
    except AuthError as exc:
        await _error(send, 403, exc.aws_type, exc.message, request_id)
        return
    try:
        params = from_headers(headers)
        base = ctx.base_model(params)
        language_model = await ctx.language_model(principal.account_id, auth_scope.region, params)
        word_filter = await ctx.word_filter(principal.account_id, auth_scope.region, params)
        vocabulary = await ctx.vocabulary(principal.account_id, auth_scope.region, params)
        speakers = await ctx.speakers(params)
        lease = ctx.limiter.acquire(principal.account_id)
    except JargonautError as exc:
        await _error(send, http_status(exc), exc.aws_type, exc.message, request_id)
        return
    try:
        response_headers = [(b"content-type", EVENTSTREAM.encode()), (b"x-amzn-request-id", request_id.encode())]
        response_headers += [(k.encode(), v.encode()) for k, v in params.echo_headers()]
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        chain = ChunkChain(principal, auth_scope, seed, settings.max_clock_skew)
        gone = False

        async def audio() -> AsyncIterator[bytes]:
            nonlocal gone
            reader = MessageReader()
            while True:
                message = await receive_or_timeout(receive)
                if message["type"] == "http.disconnect":
                    gone = True
                    raise ClientGone()
                for envelope in reader.feed(message.get("body", b"")):
                    payload = chain.verify(envelope)
                    if not payload:
                        return  # the signed empty envelope ends the audio
                    event = parse_one(payload)
                    if event.headers.get(":event-type") == "AudioEvent" and event.payload:
                        yield event.payload
                if not message.get("more_body", False):
                    return  # body closed without the end envelope: treat as the end

        async def send_frame(frame: bytes) -> None:
            if gone:
                raise ClientGone()
            await send({"type": "http.response.body", "body": frame, "more_body": True})

        log.debug("http2 stream %s started", request_id)
        began = log_stream_start("HTTP/2", request_id, principal.account_id, auth_scope.region, params)
        try:
            await run_session(params, base, language_model, ctx.pool, audio(), send_frame, word_filter, vocabulary,
                              speakers)
        finally:
            log_stream_end(request_id, began)
        log.debug("http2 stream %s recognised", request_id)
        if not gone:
            # Read (and drop) what the client still sends until it ends its half, then end
            # ours: Hypercorn's app queue is bounded (a stalled reader stalls the connection)
            # and data arriving for an already-closed stream kills the whole connection.
            try:
                await asyncio.wait_for(_drain_request(receive), DRAIN_TIMEOUT_S)
            except asyncio.TimeoutError:
                pass
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        lease.release()
        log.debug("http2 stream %s ended", request_id)
