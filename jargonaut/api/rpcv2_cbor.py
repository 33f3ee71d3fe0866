"""Smithy RPC v2 CBOR for Transcribe, driven by the same botocore model as AWS JSON 1.1.

botocore's transcribe model lists `smithy-rpc-v2-cbor` first; SDKs that support it call
`POST /service/Transcribe/operation/<Operation>` with `smithy-protocol: rpc-v2-cbor` and CBOR
bodies. Timestamps are CBOR tag 1 (epoch seconds); errors are a map with `__type` (the error
shape's ID) and `message`, with the same HTTP status as in AWS JSON.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import cbor2
from botocore.model import OperationModel

from jargonaut.api.protocol import SerializationError, UnknownOperationError, service_model
from jargonaut.errors import BadRequestError

PROTOCOL_HEADER = "smithy-protocol"
PROTOCOL = "rpc-v2-cbor"
CONTENT_TYPE = "application/cbor"
NAMESPACE = "com.amazonaws.transcribe"  # the Smithy namespace of Transcribe's shapes


def operation(service: str, name: str, protocol_header: str | None) -> OperationModel:
    if protocol_header != PROTOCOL:
        raise BadRequestError(f"Requests to /service/... must carry the header '{PROTOCOL_HEADER}: {PROTOCOL}'.")
    model = service_model()
    if service != model.metadata["targetPrefix"] or name not in model.operation_names:
        raise UnknownOperationError(f"Unknown operation {service}.{name}; the service is {model.metadata['targetPrefix']}.")
    return model.operation_model(name)


def parse_body(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        value = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError, EOFError) as exc:
        raise SerializationError(f"The request body is not valid CBOR: {exc}.") from exc
    if not isinstance(value, dict):
        raise SerializationError("The request body must be a CBOR map.")
    return value


def timestamp(value: Any) -> dt.datetime:
    """A timestamp in the form cbor2 writes as tag 1 (epoch seconds)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromtimestamp(float(value), dt.timezone.utc)


def encode(value: dict[str, Any]) -> bytes:
    return cbor2.dumps(value, datetime_as_timestamp=True)


def error_body(aws_type: str, message: str) -> bytes:
    return encode({"__type": f"{NAMESPACE}#{aws_type}", "message": message})
