"""One way into the services for every front end: validate an operation's request against the
Transcribe model, then run its handler. The JSON API and the web console both call `invoke`, so
validation and its messages exist once."""
from __future__ import annotations

from typing import Any

from jargonaut.api import protocol
from jargonaut.api.handlers import HANDLERS, CallContext


def invoke(ctx: CallContext, operation_name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run `operation_name` (e.g. "CreateLanguageModel") for ctx.principal; raises JargonautError."""
    handler = HANDLERS.get(operation_name)
    if handler is None:
        raise protocol.UnknownOperationError(f"The operation {operation_name} is not supported by this server.")
    op = protocol.service_model().operation_model(operation_name)
    return handler(ctx, protocol.validate(op, params))
