"""AWS JSON 1.1 for Transcribe, driven by botocore's own service model.

Requests are validated against the operation's input shape (required members, types,
lengths, ranges, enums, patterns); responses are serialised through the output shape, so
only modelled members leave the server and timestamps take the JSON protocol's form.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from typing import Any, Callable

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator

from jargonaut.errors import BadRequestError

TARGET_PREFIX = "Transcribe."
CONTENT_TYPE = "application/x-amz-json-1.1"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("transcribe")


def operation(target: str | None) -> OperationModel:
    if not target or not target.startswith(TARGET_PREFIX):
        raise BadRequestError(f"Missing or malformed X-Amz-Target header {target!r}; expected 'Transcribe.<Operation>'.")
    name = target[len(TARGET_PREFIX):]
    if name not in service_model().operation_names:
        raise UnknownOperationError(f"Unknown operation {name!r} for service Transcribe.")
    return service_model().operation_model(name)


class UnknownOperationError(BadRequestError):
    aws_type = "UnknownOperationException"


def parse_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        # Strictly UTF-8, as RFC 8259 asks (json.loads would guess UTF-16/32 and skip a BOM).
        value = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SerializationError(f"The request body is not valid JSON: {exc}.") from exc
    except RecursionError:
        raise SerializationError("The request body is not valid JSON: it is nested too deeply.") from None
    if not isinstance(value, dict):
        raise SerializationError("The request body must be a JSON object.")
    return value


class SerializationError(BadRequestError):
    aws_type = "SerializationException"


class _StrictValidator(ParamValidator):
    """botocore checks required members, types and minimums; add maximums, enums and patterns."""

    def _validate_string(self, param, shape, errors, name):  # type: ignore[no-untyped-def]
        super()._validate_string(param, shape, errors, name)
        if not isinstance(param, str):
            return
        maximum = shape.metadata.get("max")
        if maximum is not None and len(param) > maximum:
            errors.report(name, "invalid length", param=param, min_allowed=shape.metadata.get("min", 0), max_allowed=maximum)
        if shape.enum and param not in shape.enum:
            errors.report(name, "invalid enum", param=param, valid_values=shape.enum)
        pattern = shape.metadata.get("pattern")
        if pattern and (maximum is None or len(param) <= maximum) and not re.fullmatch(pattern, param):  # model patterns are whole-value constraints
            errors.report(name, "invalid pattern", param=param, pattern=pattern)

    def _validate_integer(self, param, shape, errors, name):  # type: ignore[no-untyped-def]
        super()._validate_integer(param, shape, errors, name)
        maximum = shape.metadata.get("max")
        if isinstance(param, int) and maximum is not None and param > maximum:
            errors.report(name, "invalid range", param=param, min_allowed=shape.metadata.get("min"), max_allowed=maximum)

    def _validate_list(self, param, shape, errors, name):  # type: ignore[no-untyped-def]
        super()._validate_list(param, shape, errors, name)
        maximum = shape.metadata.get("max")
        if isinstance(param, list) and maximum is not None and len(param) > maximum:
            errors.report(name, "invalid length", param=param, min_allowed=shape.metadata.get("min", 0), max_allowed=maximum)


def _shown(value: Any, limit: int = 64) -> str:
    """A value as quoted in an error message, cut short (a message never echoes a huge input)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _bounds(extra: dict[str, Any], low_key: str, high_key: str) -> str:
    low, high = extra.get(low_key), extra.get(high_key)
    if "valid_range" in extra:
        low, high = extra["valid_range"]
    if high is None:
        return f"greater than or equal to {low}"
    return f"between {low} and {high}"


# botocore names the Python types it accepts (str(type)); say them as JSON types.
_JSON_TYPES = {str(t): name for t, name in [
    (str, "string"), (int, "integer"), (float, "number"), (bool, "boolean"), (list, "array"), (tuple, "array"),
    (dict, "object"), (bytes, "base64 string"), (bytearray, "base64 string"),
]}


def _format_error(error: tuple) -> str:
    """One validation problem in Amazon's words; unknown kinds still give a message, never a crash."""
    kind, name, extra = error
    field = (name or "input").lstrip(".")
    value = _shown(extra.get("param"))
    if kind == "invalid enum":
        return f"Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(extra['valid_values'])}]"
    if kind == "invalid pattern":
        return f"Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {extra['pattern']}"
    if kind == "invalid length":
        return f"Value at '{field}' failed to satisfy constraint: Member must have length {_bounds(extra, 'min_allowed', 'max_allowed')}"
    if kind == "invalid range":
        return f"Value '{value}' at '{field}' failed to satisfy constraint: Member must be {_bounds(extra, 'min_allowed', 'max_allowed')}"
    if kind == "missing required field":
        return f"Value null at '{extra.get('required_name')}' failed to satisfy constraint: Member must not be null"
    if kind == "unknown field":
        return f"Unknown parameter '{_shown(extra.get('unknown_param'))}' at '{field}'"
    if kind == "invalid type":
        expected = ", ".join(dict.fromkeys(_JSON_TYPES.get(str(t), str(t)) for t in extra.get("valid_types", ())))
        return f"Value at '{field}' has the wrong type: expected {expected}"
    return f"Value at '{field}' is not valid ({kind})"


def validate(op: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
    if op.input_shape is None:
        return {}
    report = _StrictValidator().validate(params, op.input_shape)
    if report.has_errors():
        messages = [_format_error(e) for e in report._errors]
        count = len(messages)
        raise BadRequestError(
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(messages)
        )
    return params


def epoch_seconds(value: Any) -> float:
    """A timestamp as AWS JSON writes it: seconds since the epoch."""
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def serialise(value: Any, shape: Shape | None, timestamp: Callable[[Any], Any] = epoch_seconds) -> Any:
    """Python values → wire-ready values following the output shape (unknown members dropped);
    `timestamp` gives a timestamp its protocol's form (JSON: epoch seconds)."""
    if shape is None or value is None:
        return value
    if shape.type_name == "structure":
        out = {}
        for member_name, member_shape in shape.members.items():
            if member_name in value and value[member_name] is not None:
                out[member_name] = serialise(value[member_name], member_shape, timestamp)
        return out
    if shape.type_name == "list":
        return [serialise(item, shape.member, timestamp) for item in value]
    if shape.type_name == "map":
        return {str(k): serialise(v, shape.value, timestamp) for k, v in value.items()}
    if shape.type_name == "timestamp":
        return timestamp(value)
    return value


def error_body(aws_type: str, message: str) -> bytes:
    return json.dumps({"__type": aws_type, "Message": message, "message": message}).encode()
