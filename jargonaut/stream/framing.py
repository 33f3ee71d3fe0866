"""AWS event-stream framing for the streaming endpoints, on the SDK's own codec.

`amazon_transcribe.eventstream` has both the serializer and the incremental parser
(botocore only decodes), so we never hand-roll the binary format.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from amazon_transcribe.eventstream import (
    EventStreamBuffer,
    EventStreamMessage,
    EventStreamMessageSerializer,
    ParserError,
)

__all__ = ["EventStreamMessage", "FramingError", "MessageReader", "exception_event", "transcript_event", "parse_one"]

_SERIALIZER = EventStreamMessageSerializer()


class FramingError(Exception):
    """The byte stream is not valid event-stream framing (bad CRC, lengths...)."""


class MessageReader:
    """Feed raw bytes as they arrive; iterate the complete messages parsed so far."""

    def __init__(self) -> None:
        self._buffer = EventStreamBuffer()

    def feed(self, data: bytes) -> Iterator[EventStreamMessage]:
        self._buffer.add_data(data)
        try:
            yield from self._buffer
        except ParserError as exc:
            raise FramingError(f"Malformed event-stream data: {exc}") from exc
        except Exception as exc:  # struct errors on truncated headers
            raise FramingError(f"Malformed event-stream data: {exc}") from exc


def parse_one(data: bytes) -> EventStreamMessage:
    """Exactly one message in `data` (a WebSocket frame, a signed envelope's payload)."""
    reader = MessageReader()
    messages = list(reader.feed(data))
    if len(messages) != 1:
        raise FramingError(f"Expected one event-stream message, found {len(messages)}.")
    return messages[0]


def transcript_event(transcript: dict[str, Any]) -> bytes:
    headers = {":message-type": "event", ":event-type": "TranscriptEvent", ":content-type": "application/json"}
    return _SERIALIZER.serialize(headers, json.dumps({"Transcript": transcript}).encode())


def exception_event(aws_type: str, message: str) -> bytes:
    headers = {":message-type": "exception", ":exception-type": aws_type, ":content-type": "application/json"}
    return _SERIALIZER.serialize(headers, json.dumps({"Message": message}).encode())


def audio_event(payload: bytes) -> bytes:
    """An AudioEvent message (clients and tests; the server only reads them)."""
    headers = {":message-type": "event", ":event-type": "AudioEvent", ":content-type": "application/octet-stream"}
    return _SERIALIZER.serialize(headers, payload)
