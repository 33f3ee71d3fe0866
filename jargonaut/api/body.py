"""Read a request body within limits: a size cap (by Content-Length first) and a deadline.

The JSON API's bodies are small; a client may not make the server hold a large one, or
hold a connection open by sending a body slowly.
"""
from __future__ import annotations

import asyncio

from starlette.requests import Request

from jargonaut.errors import BadRequestError


class RequestTooLargeError(BadRequestError):
    aws_type = "RequestEntityTooLargeException"
    status = 413


class RequestTimeoutError(BadRequestError):
    aws_type = "RequestTimeoutException"
    status = 408


def _too_large(limit: int) -> RequestTooLargeError:
    return RequestTooLargeError(f"The request body is larger than this server accepts ({limit} bytes).")


def check_declared_length(request: Request, limit: int) -> None:
    """Refuse by Content-Length alone, before a byte of the body is read."""
    declared = request.headers.get("content-length")
    if declared is None:
        return  # chunked: counted while it is read
    if not declared.isdigit():
        raise BadRequestError("Content-Length must be a number of bytes.")
    if int(declared) > limit:
        raise _too_large(limit)


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    check_declared_length(request, limit)

    async def collect() -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        return await asyncio.wait_for(collect(), timeout)
    except asyncio.TimeoutError:
        raise RequestTimeoutError(f"The request body did not arrive within {timeout:g} seconds.") from None
