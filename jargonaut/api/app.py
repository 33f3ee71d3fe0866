"""The ASGI application: AWS JSON 1.1 at POST /, transcripts, health."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.model import OperationModel

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from jargonaut.api import protocol, rpcv2_cbor
from jargonaut.api.handlers import HANDLERS, CallContext
from jargonaut.api.sigv4 import AuthError, Principal, SignedRequest, presign_url, verify_header, verify_presigned
from jargonaut.errors import InternalFailureError, JargonautError
from jargonaut.regions import AllowedRegions
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


@dataclass(frozen=True)
class Wire:
    """How one protocol carries a Transcribe operation: where its name is, body and error encodings."""

    operation: Callable[[Request], OperationModel]
    parse_body: Callable[[bytes], dict[str, Any]]
    encode: Callable[[Any], bytes]
    error_body: Callable[[str, str], bytes]
    timestamp: Callable[[Any], Any]
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    def error(self, aws_type: str, message: str, status: int, request_id: str) -> Response:
        return Response(self.error_body(aws_type, message), status_code=status, media_type=self.content_type,
                        headers={"x-amzn-RequestId": request_id, "x-amzn-ErrorType": aws_type, **self.headers})


JSON_WIRE = Wire(
    operation=lambda request: protocol.operation(request.headers.get("x-amz-target")),
    parse_body=protocol.parse_body,
    encode=lambda payload: json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
    error_body=protocol.error_body,
    timestamp=protocol.epoch_seconds,
    content_type=protocol.CONTENT_TYPE,
)
CBOR_WIRE = Wire(
    operation=lambda request: rpcv2_cbor.operation(
        request.path_params["service"], request.path_params["operation"],
        request.headers.get(rpcv2_cbor.PROTOCOL_HEADER)),
    parse_body=rpcv2_cbor.parse_body,
    encode=rpcv2_cbor.encode,
    error_body=rpcv2_cbor.error_body,
    timestamp=rpcv2_cbor.timestamp,
    content_type=rpcv2_cbor.CONTENT_TYPE,
    headers={rpcv2_cbor.PROTOCOL_HEADER: rpcv2_cbor.PROTOCOL},
)


def create_app(services: Services) -> Starlette:
    settings = services.settings
    regions = AllowedRegions(settings.regions)

    def transcript_url_factory(request: Request, principal: Principal) -> Any:
        def transcript_url(account_id: str, region: str, name: str) -> str:
            # Signed with the caller's own key for the job's region: resources are scoped to both.
            base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
            return presign_url(
                f"{base}/transcripts/{region}/{account_id}/{name}.json", principal, region, SERVICE,
                settings.presign_expiry,
            )

        return transcript_url

    def authenticate(request: Request, body: bytes) -> tuple[Principal, str]:
        """The caller and the region the request was signed for."""
        principal, scope, _ = verify_header(
            _signed_request(request, body), services.accounts.lookup, SERVICE, regions, settings.max_clock_skew
        )
        return principal, scope.region

    async def call(request: Request, wire: "Wire") -> Response:
        """One Transcribe operation: authenticate, decode, validate, run, encode in the request's protocol."""
        request_id = str(uuid.uuid4())
        body = await request.body()
        try:
            principal, region = authenticate(request, body)
        except AuthError as exc:
            return wire.error(exc.aws_type, exc.message, 403, request_id)
        try:
            op = wire.operation(request)
            handler = HANDLERS.get(op.name)
            if handler is None:
                raise protocol.UnknownOperationError(f"The operation {op.name} is not supported by this server.")
            params = protocol.validate(op, wire.parse_body(body))
            ctx = CallContext(principal, region, services, transcript_url_factory(request, principal))
            result = await asyncio.to_thread(handler, ctx, params)
            payload = protocol.serialise(result, op.output_shape, wire.timestamp) or {}
        except JargonautError as exc:
            return wire.error(exc.aws_type, exc.message, exc.status, request_id)
        except Exception as exc:  # noqa: BLE001
            log.exception("internal failure")
            failure = InternalFailureError(f"An internal error occurred ({type(exc).__name__}); try again.")
            return wire.error(failure.aws_type, failure.message, failure.status, request_id)
        return Response(wire.encode(payload), media_type=wire.content_type,
                        headers={"x-amzn-RequestId": request_id, **wire.headers})

    async def aws_json(request: Request) -> Response:
        return await call(request, JSON_WIRE)

    async def rpc_v2_cbor(request: Request) -> Response:
        return await call(request, CBOR_WIRE)

    async def transcript(request: Request) -> Response:
        account_id = request.path_params["account_id"]
        region = request.path_params["region"]
        name = request.path_params["name"]
        try:
            principal, scope = verify_presigned(
                _signed_request(request, b""), services.accounts.lookup, SERVICE, regions,
                max_expires=settings.presign_expiry,
            )
        except AuthError as exc:
            return _aws_error(exc.aws_type, exc.message, 403, str(uuid.uuid4()))
        if principal.account_id != account_id or scope.region != region:
            return _aws_error("AccessDeniedException", "The URL was signed by another account or for another region.",
                              403, str(uuid.uuid4()))
        try:
            path = await asyncio.to_thread(services.jobs.transcript_path, account_id, region, name)
        except JargonautError as exc:
            return _aws_error(exc.aws_type, exc.message, exc.status, str(uuid.uuid4()))
        return FileResponse(path, media_type="application/json")

    async def retrain(request: Request) -> Response:
        """Beyond Amazon: retrain a CLM on the newest base model from its stored input data."""
        request_id = str(uuid.uuid4())
        body = await request.body()
        try:
            principal, region = authenticate(request, body)
            model = await asyncio.to_thread(
                services.language_models.retrain, principal.account_id, region, request.path_params["name"]
            )
        except AuthError as exc:
            return _aws_error(exc.aws_type, exc.message, 403, request_id)
        except JargonautError as exc:
            return _aws_error(exc.aws_type, exc.message, exc.status, request_id)
        shape = protocol.service_model().shape_for("LanguageModel")
        return JSONResponse({"LanguageModel": protocol.serialise(model, shape)}, headers={"x-amzn-RequestId": request_id})

    async def report(request: Request) -> Response:
        """Beyond Amazon: a CLM's full training report (data, order, domain terms, spelling variants)."""
        request_id = str(uuid.uuid4())
        try:
            principal, region = authenticate(request, await request.body())
            result = await asyncio.to_thread(
                services.language_models.report, principal.account_id, region, request.path_params["name"]
            )
        except AuthError as exc:
            return _aws_error(exc.aws_type, exc.message, 403, request_id)
        except JargonautError as exc:
            return _aws_error(exc.aws_type, exc.message, exc.status, request_id)
        return JSONResponse(result, headers={"x-amzn-RequestId": request_id})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "time": dt.datetime.now(dt.timezone.utc).isoformat()})

    routes = [
        Route("/", aws_json, methods=["POST"]),
        Route("/service/{service}/operation/{operation}", rpc_v2_cbor, methods=["POST"]),
        Route("/transcripts/{region}/{account_id}/{name}.json", transcript, methods=["GET"]),
        Route("/jargonaut/language-models/{name}/retrain", retrain, methods=["POST"]),
        Route("/jargonaut/language-models/{name}/report", report, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
    ]
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
