"""Errors by meaning, raised by the services; the wire decides how to report them.

`aws_type` is the name Transcribe clients know each by; the HTTP status belongs to the wire
(`api/faults.http_status`), so nothing below the wire knows HTTP."""
from __future__ import annotations


class JargonautError(Exception):
    """Something the service could not do; the message is for the user."""

    aws_type = "InternalFailureException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(JargonautError):
    """The request can't be served as asked (invalid input, unusable state)."""

    aws_type = "BadRequestException"


class NotFoundError(JargonautError):
    """The named resource doesn't exist in the caller's account."""

    aws_type = "NotFoundException"


class ConflictError(JargonautError):
    """The resource exists already, or is busy (e.g. being trained)."""

    aws_type = "ConflictException"


class LimitExceededError(JargonautError):
    """A per-account limit was reached; retry later."""

    aws_type = "LimitExceededException"


class InternalFailureError(JargonautError):
    """The server failed; not the caller's fault."""

    aws_type = "InternalFailureException"


class MediaError(JargonautError):
    """Audio that cannot be used; its message becomes a job's FailureReason."""

    aws_type = "BadRequestException"


class AccessDeniedError(JargonautError):
    """The caller may not do this (bucket policy, role, another account)."""

    aws_type = "AccessDeniedException"
