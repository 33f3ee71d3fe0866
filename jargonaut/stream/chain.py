"""The SigV4 streaming chunk-signature chain (STREAMING-AWS4-HMAC-SHA256-EVENTS).

Each envelope carries `:date` and `:chunk-signature`; the signature is an HMAC, with the
day's signing key, over the previous signature, the envelope date and the event bytes —
so dropping, reordering or altering any event breaks every later link.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import struct

from jargonaut.api.sigv4 import AMZ_DATE_FORMAT, Principal, Scope, derive_signing_key
from jargonaut.stream.framing import EventStreamMessage


class ChainError(Exception):
    """An envelope is unsigned, misdated or its signature does not follow the chain."""


def _date_header_bytes(ms: int) -> bytes:
    # The exact bytes the signer hashed: header name, type 8 (timestamp), int64 milliseconds.
    name = b":date"
    return struct.pack("B", len(name)) + name + b"\x08" + struct.pack("!q", ms)


class ChunkChain:
    def __init__(self, principal: Principal, scope: Scope, seed_signature: str, max_skew: int = 300) -> None:
        self._secret = principal.secret_access_key
        self._region, self._service = scope.region, scope.service
        self._prior = bytes.fromhex(seed_signature)
        self._max_skew = max_skew
        self._keys: dict[str, bytes] = {}

    def _key(self, day: str) -> bytes:
        if day not in self._keys:
            self._keys[day] = derive_signing_key(self._secret, day, self._region, self._service)
        return self._keys[day]

    def verify(self, envelope: EventStreamMessage, now: dt.datetime | None = None) -> bytes:
        """Check one signed envelope; returns its payload (the inner event bytes, or b"" at the end)."""
        ms = envelope.headers.get(":date")
        signature = envelope.headers.get(":chunk-signature")
        if not isinstance(ms, int) or not isinstance(signature, bytes):
            raise ChainError("An audio event is not signed (:date and :chunk-signature are required).")
        try:
            signed_at = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
        except (OverflowError, ValueError, OSError):  # int64 extremes, year 10000...
            raise ChainError("An audio event's :date is not a representable time.") from None
        current = now or dt.datetime.now(dt.timezone.utc)
        if abs((current - signed_at).total_seconds()) > self._max_skew:
            raise ChainError("An audio event's :date is too far from the server time.")
        timestamp = dt.datetime.fromtimestamp(ms // 1000, tz=dt.timezone.utc).strftime(AMZ_DATE_FORMAT)
        day = timestamp[:8]
        string_to_sign = "\n".join([
            "AWS4-HMAC-SHA256-PAYLOAD",
            timestamp,
            f"{day}/{self._region}/{self._service}/aws4_request",
            self._prior.hex(),
            hashlib.sha256(_date_header_bytes(ms)).hexdigest(),
            hashlib.sha256(envelope.payload).hexdigest(),
        ])
        expected = hmac.new(self._key(day), string_to_sign.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise ChainError("The chunk signature of an audio event does not match: the event was altered or the chain is broken.")
        self._prior = expected
        return envelope.payload
