"""One exception hierarchy, mapped onto Amazon Transcribe's error types."""
from __future__ import annotations


class JargonautError(Exception):
    """Base class: `aws_type` and `status` say how the wire layer reports it."""

    aws_type = "InternalFailureException"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(JargonautError):
    aws_type = "BadRequestException"
    status = 400


class NotFoundError(JargonautError):
    aws_type = "NotFoundException"
    status = 404


class ConflictError(JargonautError):
    aws_type = "ConflictException"
    status = 409


class LimitExceededError(JargonautError):
    aws_type = "LimitExceededException"
    status = 429


class InternalFailureError(JargonautError):
    aws_type = "InternalFailureException"
    status = 500


class MediaError(JargonautError):
    """Audio that cannot be used; its message becomes a job's FailureReason."""

    aws_type = "BadRequestException"
    status = 400


class AccessDeniedError(JargonautError):
    aws_type = "AccessDeniedException"
    status = 403
