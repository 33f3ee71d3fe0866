"""Opaque NextToken values for newest-first listings keyed by a sequence number."""
from __future__ import annotations

import base64
import json

from jargonaut.errors import BadRequestError


def encode_token(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"seq": seq}).encode()).decode()


def decode_token(token: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["seq"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequestError("The NextToken is not valid. Use the token from the previous response.") from exc
