"""The one place a failure becomes an AWS error: status, `__type` and message.

Every HTTP endpoint ends in `fault_for` whatever it raised (authentication, validation,
service errors by meaning, and bugs), so no path answers a bare 500 or a traceback.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from jargonaut.api import protocol
from jargonaut.api.sigv4 import AuthError
from jargonaut.errors import (
    AccessDeniedError,
    ConflictError,
    InternalFailureError,
    JargonautError,
    LimitExceededError,
    NotFoundError,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fault:
    status: int
    aws_type: str
    message: str


# The HTTP status of each error by meaning, most specific first (anything else the caller sent: 400).
_STATUS_BY_MEANING: tuple[tuple[type[JargonautError], int], ...] = (
    (AccessDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (LimitExceededError, 429),
    (InternalFailureError, 500),
)


def http_status(exc: JargonautError) -> int:
    """Errors the wire itself defines (e.g. 413 in body.py) carry their status; service errors don't."""
    own = getattr(exc, "status", None)
    if isinstance(own, int):
        return own
    for kind, status in _STATUS_BY_MEANING:
        if isinstance(exc, kind):
            return status
    return 500 if type(exc) is JargonautError else 400


def fault_for(exc: BaseException) -> Fault:
    if isinstance(exc, AuthError):
        return Fault(403, exc.aws_type, exc.message)
    if isinstance(exc, JargonautError):
        return Fault(http_status(exc), exc.aws_type, exc.message)
    if isinstance(exc, HTTPException):  # Starlette's routing: unknown path or method
        kind = "UnknownOperationException" if exc.status_code in (404, 405) else "BadRequestException"
        return Fault(exc.status_code, kind, f"{exc.detail}: this server has no such operation.")
    if isinstance(exc, ClientDisconnect):  # nobody is left to answer: one line, no traceback
        log.info("client disconnected before its request was read")
        return Fault(400, "BadRequestException", "The client disconnected.")
    if isinstance(exc, RecursionError):  # input nested deeper than any parser's stack
        return Fault(400, "SerializationException", "The request is nested too deeply.")
    log.exception("internal failure")
    return Fault(500, "InternalFailureException", f"An internal error occurred ({type(exc).__name__}); try again.")


def error_response(fault: Fault, request_id: str) -> Response:
    return Response(
        protocol.error_body(fault.aws_type, fault.message),
        status_code=fault.status,
        media_type=protocol.CONTENT_TYPE,
        headers={"x-amzn-RequestId": request_id, "x-amzn-ErrorType": fault.aws_type},
    )
