"""One way into the services for every front end.

`invoke` is the wire's entry (JSON and CBOR): validate the AWS request against the Transcribe
model, turn it into the operation's domain request, run it, and turn the domain result back into
the operation's output. `run` is the console's entry: it builds domain requests itself, and they
are validated against the same model (so its messages are the API's own). The conversions happen
here only, once per direction, derived from the domain dataclasses and botocore's shapes.
"""
from __future__ import annotations

from typing import Any

from jargonaut.api import protocol
from jargonaut.api.handlers import HANDLERS, CallContext
from jargonaut.domain.members import from_members, to_members

# The operation that takes each domain request type.
_OPERATION_OF: dict[type, str] = {request_type: name for name, (request_type, _) in HANDLERS.items()}


def operation_names() -> set[str]:
    """Every operation this server implements."""
    return set(HANDLERS)


def invoke(ctx: CallContext, operation_name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run `operation_name` (e.g. "CreateLanguageModel") for ctx.principal; raises JargonautError."""
    if operation_name not in operation_names():
        raise protocol.UnknownOperationError(f"The operation {operation_name} is not supported by this server.")
    op = protocol.service_model().operation_model(operation_name)
    params = protocol.validate(op, params)
    request_type, handler = HANDLERS[operation_name]
    return _result_to_wire(op, handler(ctx, from_members(request_type, params)))


def run(ctx: CallContext, request: Any) -> Any:
    """Run a domain request (e.g. `CreateLanguageModel(...)`) and return its domain result."""
    operation_name = _OPERATION_OF[type(request)]
    protocol.validate(protocol.service_model().operation_model(operation_name), to_members(request))
    return HANDLERS[operation_name][1](ctx, request)


def _result_to_wire(op: Any, result: Any) -> dict[str, Any]:
    """A domain result as the operation's output: wrapped when the output is one member of the
    result's own shape (GetTranscriptionJob → {"TranscriptionJob": ...}), else its members."""
    if result is None:
        return {}
    members = to_members(result)
    output = op.output_shape.members if op.output_shape is not None else {}
    if len(output) == 1:
        (name, shape), = output.items()
        if shape.name == type(result).__name__:
            return {name: members}
    return members
