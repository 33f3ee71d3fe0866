"""The ASGI application: AWS JSON 1.1 at POST /, transcripts, health."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from jargonaut.api import protocol
from jargonaut.api.handlers import CallContext
from jargonaut.api.operations import invoke
from jargonaut.console.app import console_routes
from jargonaut.api.sigv4 import AuthError, Principal, SignedRequest, presign_url, verify_header, verify_presigned
from jargonaut.errors import InternalFailureError, JargonautError
from jargonaut.service.app_services import Services

log = logging.getLogger(__name__)
SERVICE = "transcribe"


def _aws_error(aws_type: str, message: str, status: int, request_id: str) -> Response:
    return Response(
        protocol.error_body(aws_type, message),
        status_code=status,
        media_type=protocol.CONTENT_TYPE,
        headers={"x-amzn-RequestId": request_id, "x-amzn-ErrorType": aws_type},
    )


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

    def authenticate(request: Request, body: bytes) -> Principal:
        principal, _, _ = verify_header(
            _signed_request(request, body), services.accounts.lookup, SERVICE, regions, settings.max_clock_skew
        )
        return principal

    async def aws_json(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        body = await request.body()
        try:
            principal = authenticate(request, body)
        except AuthError as exc:
            return _aws_error(exc.aws_type, exc.message, 403, request_id)
        try:
            op = protocol.operation(request.headers.get("x-amz-target"))
            params = protocol.parse_body(body)
            ctx = CallContext(principal, services, transcript_url_factory(request, principal))
            result = await asyncio.to_thread(invoke, ctx, op.name, params)
            payload = protocol.serialise(result, op.output_shape) or {}
        except JargonautError as exc:
            return _aws_error(exc.aws_type, exc.message, exc.status, request_id)
        except Exception as exc:  # noqa: BLE001
            log.exception("internal failure")
            failure = InternalFailureError(f"An internal error occurred ({type(exc).__name__}); try again.")
            return _aws_error(failure.aws_type, failure.message, failure.status, request_id)
        return JSONResponse(payload, media_type=protocol.CONTENT_TYPE, headers={"x-amzn-RequestId": request_id})

    async def transcript(request: Request) -> Response:
        account_id = request.path_params["account_id"]
        name = request.path_params["name"]
        try:
            principal, _ = verify_presigned(
                _signed_request(request, b""), services.accounts.lookup, SERVICE, regions,
                max_expires=settings.presign_expiry,
            )
        except AuthError as exc:
            return _aws_error(exc.aws_type, exc.message, 403, str(uuid.uuid4()))
        if principal.account_id != account_id:
            return _aws_error("AccessDeniedException", "The URL was signed by another account.", 403, str(uuid.uuid4()))
        try:
            path = await asyncio.to_thread(services.jobs.transcript_path, account_id, name)
        except JargonautError as exc:
            return _aws_error(exc.aws_type, exc.message, exc.status, str(uuid.uuid4()))
        return FileResponse(path, media_type="application/json")

    async def retrain(request: Request) -> Response:
        """Beyond Amazon: retrain a CLM on the newest base model from its stored input data."""
        request_id = str(uuid.uuid4())
        body = await request.body()
        try:
            principal = authenticate(request, body)
            model = await asyncio.to_thread(
                services.language_models.retrain, principal.account_id, request.path_params["name"]
            )
        except AuthError as exc:
            return _aws_error(exc.aws_type, exc.message, 403, request_id)
        except JargonautError as exc:
            return _aws_error(exc.aws_type, exc.message, exc.status, request_id)
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
    app = Starlette(routes=routes)
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
