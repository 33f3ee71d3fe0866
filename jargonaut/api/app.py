"""The ASGI application: AWS JSON 1.1 at POST /, transcripts, health."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from jargonaut.api import protocol
from jargonaut.api.body import check_declared_length, read_body
from jargonaut.api.faults import error_response, fault_for
from jargonaut.api.handlers import CallContext
from jargonaut.api.operations import invoke
from jargonaut.api.sigv4 import (
    Principal,
    SignedRequest,
    presign_url,
    verify_header,
    verify_presigned,
)
from jargonaut.console.app import console_routes
from jargonaut.errors import AccessDeniedError
from jargonaut.service.app_services import Services

SERVICE = "transcribe"


Endpoint = Callable[[Request, str], Awaitable[Response]]


def aws_endpoint(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """A request id for every call, and whatever the endpoint raises answered as one AWS error."""

    async def run(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            return await endpoint(request, request_id)
        except Exception as exc:  # noqa: BLE001 - the one place every failure becomes an AWS error
            return error_response(fault_for(exc), request_id)

    return run


def _signed_request(request: Request, body: bytes) -> SignedRequest:
    return SignedRequest(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )


def create_app(services: Services) -> Starlette:
    settings = services.settings
    regions = {settings.region}

    def transcript_url_factory(request: Request, principal: Principal) -> Any:
        def transcript_url(account_id: str, name: str) -> str:
            # Signed with the caller's own key: resources are scoped to the caller's account.
            base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
            return presign_url(
                f"{base}/transcripts/{account_id}/{name}.json", principal, settings.region, SERVICE,
                settings.presign_expiry,
            )

        return transcript_url

    def authenticate(request: Request, body: bytes, before_body: bool = False) -> Principal:
        principal, _, _ = verify_header(
            _signed_request(request, body), services.accounts.lookup, SERVICE, regions, settings.max_clock_skew,
            before_body=before_body,
        )
        return principal

    async def authenticated_body(request: Request) -> tuple[Principal, bytes]:
        """Refuse what the headers already condemn, then read the body (capped, timed) and verify it all."""
        check_declared_length(request, settings.max_request_bytes)
        authenticate(request, b"", before_body=True)
        body = await read_body(request, settings.max_request_bytes, settings.request_body_timeout)
        return authenticate(request, body), body

    @aws_endpoint
    async def aws_json(request: Request, request_id: str) -> Response:
        principal, body = await authenticated_body(request)
        op = protocol.operation(request.headers.get("x-amz-target"))
        params = protocol.parse_body(body)
        ctx = CallContext(principal, services, transcript_url_factory(request, principal))
        result = await asyncio.to_thread(invoke, ctx, op.name, params)  # validates, then runs the operation
        payload = protocol.serialise(result, op.output_shape) or {}
        return JSONResponse(payload, media_type=protocol.CONTENT_TYPE, headers={"x-amzn-RequestId": request_id})

    @aws_endpoint
    async def transcript(request: Request, request_id: str) -> Response:
        account_id = request.path_params["account_id"]
        name = request.path_params["name"]
        principal, _ = verify_presigned(
            _signed_request(request, b""), services.accounts.lookup, SERVICE, regions,
            max_expires=settings.presign_expiry,
        )
        if principal.account_id != account_id:
            raise AccessDeniedError("The URL was signed by another account.")
        path = await asyncio.to_thread(services.jobs.transcript_path, account_id, name)
        return FileResponse(path, media_type="application/json")

    @aws_endpoint
    async def retrain(request: Request, request_id: str) -> Response:
        """Beyond Amazon: retrain a CLM on the newest base model from its stored input data."""
        principal, _ = await authenticated_body(request)
        model = await asyncio.to_thread(
            services.language_models.retrain, principal.account_id, request.path_params["name"]
        )
        shape = protocol.service_model().shape_for("LanguageModel")
        return JSONResponse({"LanguageModel": protocol.serialise(model, shape)}, headers={"x-amzn-RequestId": request_id})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "time": dt.datetime.now(dt.timezone.utc).isoformat()})

    routes = [
        Route("/", aws_json, methods=["POST"]),
        Route("/transcripts/{account_id}/{name}.json", transcript, methods=["GET"]),
        Route("/jargonaut/language-models/{name}/retrain", retrain, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    routes += console_routes(services)  # GET / and /console/...: the web console

    async def routing_error(request: Request, exc: Exception) -> Response:
        return error_response(fault_for(exc), str(uuid.uuid4()))

    app = Starlette(routes=routes, exception_handlers={HTTPException: routing_error})
    return _with_streaming(app, services)


def _with_streaming(app: Starlette, services: Services) -> Any:
    """Real-time endpoints are raw ASGI (full-duplex HTTP/2, WebSocket) in front of the app."""
    try:
        from jargonaut.stream.asgi import wrap_streaming
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("jargonaut.stream"):
            return app  # streaming not built into this tree
        raise
    return wrap_streaming(app, services)
