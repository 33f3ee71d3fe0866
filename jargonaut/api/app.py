"""The ASGI application: AWS JSON 1.1 at POST /, RPC v2 CBOR at /service/..., transcripts, health."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from botocore.model import OperationModel
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from jargonaut.api import protocol, rpcv2_cbor
from jargonaut.api.body import check_declared_length, read_body
from jargonaut.api.faults import Fault, error_response, fault_for
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
from jargonaut.regions import AllowedRegions
from jargonaut.service.app_services import Services

SERVICE = "transcribe"


Endpoint = Callable[[Request, str], Awaitable[Response]]


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

    def response(self, payload: Any, request_id: str) -> Response:
        return Response(self.encode(payload), media_type=self.content_type,
                        headers={"x-amzn-RequestId": request_id, **self.headers})

    def error(self, fault: Fault, request_id: str) -> Response:
        return Response(self.error_body(fault.aws_type, fault.message), status_code=fault.status,
                        media_type=self.content_type,
                        headers={"x-amzn-RequestId": request_id, "x-amzn-ErrorType": fault.aws_type, **self.headers})


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


def aws_endpoint(endpoint: Endpoint, wire: Wire = JSON_WIRE) -> Callable[[Request], Awaitable[Response]]:
    """A request id for every call, and whatever the endpoint raises answered as one AWS error
    in the endpoint's protocol."""

    async def run(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            return await endpoint(request, request_id)
        except Exception as exc:  # noqa: BLE001 - the one place every failure becomes an AWS error
            return wire.error(fault_for(exc), request_id)

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
    regions = AllowedRegions(settings.regions)

    def transcript_url_factory(request: Request, principal: Principal) -> Any:
        def transcript_url(account_id: str, region: str, name: str, extension: str = "json") -> str:
            # Signed with the caller's own key for the job's region: resources are scoped to both.
            base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
            return presign_url(
                f"{base}/transcripts/{region}/{account_id}/{name}.{extension}", principal, region, SERVICE,
                settings.presign_expiry,
            )

        return transcript_url

    def presign_factory(request: Request, principal: Principal, region: str) -> Callable[[str], str]:
        def presign(path: str) -> str:
            base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
            return presign_url(f"{base}{path}", principal, region, SERVICE, settings.presign_expiry)

        return presign

    def authenticate(request: Request, body: bytes, before_body: bool = False) -> tuple[Principal, str]:
        """The caller and the region the request was signed for (its resources' region)."""
        principal, scope, _ = verify_header(
            _signed_request(request, body), services.accounts.lookup, SERVICE, regions, settings.max_clock_skew,
            before_body=before_body,
        )
        return principal, scope.region

    async def authenticated_body(request: Request) -> tuple[Principal, str, bytes]:
        """Refuse what the headers already condemn, then read the body (capped, timed) and verify it all."""
        check_declared_length(request, settings.max_request_bytes)
        authenticate(request, b"", before_body=True)
        body = await read_body(request, settings.max_request_bytes, settings.request_body_timeout)
        return (*authenticate(request, body), body)

    async def call(request: Request, request_id: str, wire: Wire) -> Response:
        """One Transcribe operation: authenticate, decode, validate, run, encode in the request's protocol."""
        principal, region, body = await authenticated_body(request)
        op = wire.operation(request)
        ctx = CallContext(principal, region, services, transcript_url_factory(request, principal),
                          presign_factory(request, principal, region))
        result = await asyncio.to_thread(invoke, ctx, op.name, wire.parse_body(body))  # validates, then runs it
        return wire.response(protocol.serialise(result, op.output_shape, wire.timestamp) or {}, request_id)

    async def aws_json(request: Request, request_id: str) -> Response:
        return await call(request, request_id, JSON_WIRE)

    async def rpc_v2_cbor(request: Request, request_id: str) -> Response:
        return await call(request, request_id, CBOR_WIRE)

    def _presigned_owner(request: Request) -> tuple[str, str]:
        """The account and region of a pre-signed download, which must be the path's own."""
        principal, scope = verify_presigned(
            _signed_request(request, b""), services.accounts.lookup, SERVICE, regions,
            max_expires=settings.presign_expiry,
        )
        if principal.account_id != request.path_params["account_id"] or scope.region != request.path_params["region"]:
            raise AccessDeniedError("The URL was signed by another account or for another region.")
        return principal.account_id, scope.region

    def job_file(extension: str, media_type: str) -> Callable[[Request], Awaitable[Response]]:
        """A job's transcript (json) or subtitle file (srt, vtt) in the service's storage, by pre-signed URL."""

        @aws_endpoint
        async def download(request: Request, request_id: str) -> Response:
            account_id, region = await asyncio.to_thread(_presigned_owner, request)
            body = await asyncio.to_thread(services.jobs.service_file, account_id, region,
                                           request.path_params["name"], extension)
            return Response(body, media_type=media_type)

        return download

    def word_list_file(service: Callable[[], Any]) -> Callable[[Request], Awaitable[Response]]:
        """GetVocabulary / GetVocabularyFilter's DownloadUri: the entries as a text file, by pre-signed URL."""

        @aws_endpoint
        async def download(request: Request, request_id: str) -> Response:
            account_id, region = await asyncio.to_thread(_presigned_owner, request)
            text = await asyncio.to_thread(service().download, account_id, region, request.path_params["name"])
            return Response(text, media_type="text/plain; charset=utf-8")

        return download

    @aws_endpoint
    async def retrain(request: Request, request_id: str) -> Response:
        """Beyond Amazon: retrain a CLM on the newest base model from its stored input data."""
        principal, region, _ = await authenticated_body(request)
        model = await asyncio.to_thread(
            services.language_models.retrain, principal.account_id, region, request.path_params["name"]
        )
        shape = protocol.service_model().shape_for("LanguageModel")
        return JSONResponse({"LanguageModel": protocol.serialise(model, shape)}, headers={"x-amzn-RequestId": request_id})

    @aws_endpoint
    async def report(request: Request, request_id: str) -> Response:
        """Beyond Amazon: a CLM's full training report (data, order, domain terms, spelling variants)."""
        principal, region, _ = await authenticated_body(request)
        result = await asyncio.to_thread(
            services.language_models.report, principal.account_id, region, request.path_params["name"]
        )
        return JSONResponse(result, headers={"x-amzn-RequestId": request_id})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "time": dt.datetime.now(dt.timezone.utc).isoformat()})

    routes: list[BaseRoute] = [
        Route("/", aws_endpoint(aws_json), methods=["POST"]),
        Route("/service/{service}/operation/{operation}", aws_endpoint(rpc_v2_cbor, CBOR_WIRE), methods=["POST"]),
        Route("/transcripts/{region}/{account_id}/{name}.json", job_file("json", "application/json"), methods=["GET"]),
        Route("/transcripts/{region}/{account_id}/{name}.srt", job_file("srt", "application/x-subrip"), methods=["GET"]),
        Route("/transcripts/{region}/{account_id}/{name}.vtt", job_file("vtt", "text/vtt; charset=utf-8"), methods=["GET"]),
        Route("/vocabulary-filters/{region}/{account_id}/{name}.txt", word_list_file(lambda: services.vocabulary_filters),
              methods=["GET"]),
        Route("/vocabularies/{region}/{account_id}/{name}.txt", word_list_file(lambda: services.vocabularies),
              methods=["GET"]),
        Route("/jargonaut/language-models/{name}/retrain", retrain, methods=["POST"]),
        Route("/jargonaut/language-models/{name}/report", report, methods=["GET"]),
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
