"""AWS Signature Version 4 verification (Authorization header and pre-signed query).

botocore's own signer computes the canonical request and signature from the request as
received, restricted to the headers the client says it signed; we compare in constant time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Callable, Container, Mapping
from urllib.parse import parse_qsl, quote, urlencode

from botocore.auth import EMPTY_SHA256_HASH, UNSIGNED_PAYLOAD, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from jargonaut.principal import Principal

AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AUTH_HEADER = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class AuthError(Exception):
    """Authentication failed; `aws_type` is the error code the client sees (status 403)."""

    def __init__(self, aws_type: str, message: str) -> None:
        super().__init__(message)
        self.aws_type = aws_type
        self.message = message


@dataclass(frozen=True)
class SignedRequest:
    """A request as received, everything the signature may cover."""

    method: str
    path: str  # raw path, no query
    query: str  # raw query string
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""


@dataclass(frozen=True)
class Scope:
    access_key_id: str
    date: str
    region: str
    service: str


SecretLookup = Callable[[str], Principal | None]


class _FixedPayloadSigner(SigV4Auth):
    """botocore's signer with the payload hash we choose (the body's, or the client's claim)."""

    def __init__(self, credentials: Credentials, service: str, region: str, payload_hash: str) -> None:
        super().__init__(credentials, service, region)
        self._payload_hash = payload_hash

    def payload(self, request: AWSRequest) -> str:
        return self._payload_hash


def _parse_scope(credential: str) -> Scope:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise AuthError("IncompleteSignatureException", f"Credential scope {credential!r} is malformed.")
    return Scope(*parts[:4])


def _parse_amz_date(value: str | None) -> dt.datetime:
    if not value:
        raise AuthError("IncompleteSignatureException", "The request has no X-Amz-Date.")
    try:
        return dt.datetime.strptime(value, AMZ_DATE_FORMAT).replace(tzinfo=dt.timezone.utc)
    except ValueError as exc:
        raise AuthError("IncompleteSignatureException", f"X-Amz-Date {value!r} is not in the form YYYYMMDDTHHMMSSZ.") from exc


def check_signed_headers(signed_headers: list[str], headers: Mapping[str, str], presigned: bool = False) -> None:
    """Refuse a signature that leaves out what decides the request's meaning.

    The host (`:authority` on HTTP/2) is always required, as AWS requires it; with header
    auth also the operation (`x-amz-target`), the body's type and the date when sent, so a
    signature over a harmless request cannot be replayed with another operation or host.
    """
    signed = set(signed_headers)
    if not signed & {"host", ":authority"}:
        raise AuthError("IncompleteSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if presigned:
        return
    for name in HEADER_AUTH_MUST_SIGN:
        if name in headers and name not in signed:
            raise AuthError("IncompleteSignatureException", f"'{name}' is sent, so it must be a 'SignedHeader' in the AWS Authorization.")


HEADER_AUTH_MUST_SIGN = ("x-amz-target", "content-type", "x-amz-date")


def _signed_header_values(headers: Mapping[str, str], signed_headers: list[str]) -> dict[str, str]:
    """The value of each signed header as received; HTTP/2's `:authority` arrives as `host`."""
    values: dict[str, str] = {}
    for name in signed_headers:
        value = headers.get(name)
        if value is None and name == ":authority":
            value = headers.get("host")
        if value is None:
            raise AuthError("IncompleteSignatureException", f"Signed header {name!r} is missing from the request.")
        values[name] = value
    return values


def _compute_signature(
    request: SignedRequest,
    query: str,
    signed_headers: list[str],
    principal: Principal,
    scope: Scope,
    amz_date: str,
    payload_hash: str,
) -> str:
    values = _signed_header_values(request.headers, signed_headers)
    host = request.headers.get("host", "localhost")
    url = f"http://{host}{quote(request.path, safe='/~%')}" + (f"?{query}" if query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=values, data=request.body)
    aws_request.context["timestamp"] = amz_date
    signer = _FixedPayloadSigner(
        Credentials(principal.access_key_id, principal.secret_access_key), scope.service, scope.region, payload_hash
    )
    canonical = signer.canonical_request(aws_request)
    # botocore drops a few headers (user-agent, expect...) from signing and always adds host;
    # the client's list is what it signed.
    canonical_lines = canonical.split("\n")
    if canonical_lines[-2] != ";".join(signed_headers):
        canonical_headers = "".join(f"{n}:{' '.join(values[n].split())}\n" for n in signed_headers)
        canonical = "\n".join(canonical_lines[:3] + [canonical_headers, ";".join(signed_headers), payload_hash])
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    return signer.signature(string_to_sign, aws_request)


def _check_clock(signed_at: dt.datetime, now: dt.datetime, max_skew: int) -> None:
    if abs((now - signed_at).total_seconds()) > max_skew:
        raise AuthError(
            "InvalidSignatureException",
            f"Signature expired: {signed_at.strftime(AMZ_DATE_FORMAT)} is more than {max_skew // 60} minutes "
            f"from the server time {now.strftime(AMZ_DATE_FORMAT)}.",
        )


def _check_scope(scope: Scope, signed_at: dt.datetime, service: str, regions: Container[str]) -> None:
    if scope.service != service:
        raise AuthError("InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'.")
    if scope.region not in regions:
        raise AuthError("InvalidSignatureException", f"Credential should be scoped to a valid region, not '{scope.region}'.")
    if scope.date != signed_at.strftime("%Y%m%d"):
        raise AuthError("InvalidSignatureException", "Credential date does not match X-Amz-Date.")


def _lookup(lookup: SecretLookup, access_key_id: str) -> Principal:
    principal = lookup(access_key_id)
    if principal is None:
        raise AuthError("UnrecognizedClientException", "The security token included in the request is invalid.")
    return principal


def _mismatch() -> AuthError:
    return AuthError(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method.",
    )


def verify_header(
    request: SignedRequest, lookup: SecretLookup, service: str, regions: Container[str], max_skew: int = 300,
    now: dt.datetime | None = None, before_body: bool = False,
) -> tuple[Principal, Scope, str]:
    """Verify an `Authorization: AWS4-HMAC-SHA256 ...` request; returns (principal, scope, signature).

    `before_body`: check what the headers alone allow (form, scope, key, clock, signed headers,
    and the signature itself when the client sent the body's hash in x-amz-content-sha256), so
    a request that cannot be genuine is refused before its body is read. The caller verifies
    again with the body.
    """
    header = request.headers.get("authorization")
    if not header:
        raise AuthError("MissingAuthenticationTokenException", "Missing Authentication Token: sign the request with AWS Signature Version 4.")
    match = _AUTH_HEADER.match(header)
    if not match:
        raise AuthError("IncompleteSignatureException", "The Authorization header is not a valid AWS4-HMAC-SHA256 signature.")
    scope = _parse_scope(match["credential"])
    amz_date = request.headers.get("x-amz-date")
    signed_at = _parse_amz_date(amz_date)
    _check_scope(scope, signed_at, service, regions)
    principal = _lookup(lookup, scope.access_key_id)
    _check_clock(signed_at, now or dt.datetime.now(dt.timezone.utc), max_skew)
    signed_headers = match["signed"].split(";")
    check_signed_headers(signed_headers, request.headers)
    claimed = request.headers.get("x-amz-content-sha256")
    if before_body and not (claimed and _SHA256_HEX.fullmatch(claimed)):
        return principal, scope, ""  # the signature covers a body hash we cannot know yet
    if before_body:
        expected = _compute_signature(request, request.query, signed_headers, principal, scope, amz_date or "", claimed or "")
        if not hmac.compare_digest(expected, match["signature"]):
            raise _mismatch()
        return principal, scope, expected
    payload_hash = claimed if claimed else hashlib.sha256(request.body).hexdigest()
    if claimed and claimed not in (UNSIGNED_PAYLOAD, "STREAMING-AWS4-HMAC-SHA256-EVENTS") and claimed != hashlib.sha256(request.body).hexdigest():
        raise AuthError("InvalidSignatureException", "The provided x-amz-content-sha256 does not match the request body.")
    expected = _compute_signature(request, request.query, signed_headers, principal, scope, amz_date or "", payload_hash)
    if not hmac.compare_digest(expected, match["signature"]):
        raise _mismatch()
    return principal, scope, expected


def verify_presigned(
    request: SignedRequest, lookup: SecretLookup, service: str, regions: Container[str], max_expires: int = 604800,
    now: dt.datetime | None = None,
) -> tuple[Principal, Scope]:
    """Verify a pre-signed URL (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature)."""
    params = parse_qsl(request.query, keep_blank_values=True)
    values = dict(params)
    if values.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        raise AuthError("MissingAuthenticationTokenException", "The URL is not pre-signed with AWS4-HMAC-SHA256.")
    for name in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"):
        if not values.get(name):
            raise AuthError("IncompleteSignatureException", f"The pre-signed URL lacks {name}.")
    scope = _parse_scope(values["X-Amz-Credential"])
    signed_at = _parse_amz_date(values["X-Amz-Date"])
    _check_scope(scope, signed_at, service, regions)
    try:
        expires = int(values["X-Amz-Expires"])
    except ValueError as exc:
        raise AuthError("IncompleteSignatureException", "X-Amz-Expires must be a number of seconds.") from exc
    if not 1 <= expires <= max_expires:
        raise AuthError("InvalidSignatureException", f"X-Amz-Expires must be between 1 and {max_expires} seconds.")
    principal = _lookup(lookup, scope.access_key_id)
    current = now or dt.datetime.now(dt.timezone.utc)
    if current > signed_at + dt.timedelta(seconds=expires):
        raise AuthError("AccessDeniedException", "The pre-signed URL has expired.")
    if signed_at - current > dt.timedelta(minutes=5):
        raise AuthError("InvalidSignatureException", "The pre-signed URL is dated in the future.")
    unsigned_query = urlencode([(k, v) for k, v in params if k != "X-Amz-Signature"], quote_via=quote, safe="-_.~")
    signed_headers = values["X-Amz-SignedHeaders"].split(";")
    check_signed_headers(signed_headers, request.headers, presigned=True)
    for payload_hash in (EMPTY_SHA256_HASH, UNSIGNED_PAYLOAD):
        expected = _compute_signature(
            request, unsigned_query, signed_headers, principal, scope, values["X-Amz-Date"], payload_hash
        )
        if hmac.compare_digest(expected, values["X-Amz-Signature"]):
            return principal, scope
    raise _mismatch()


def presign_url(
    base_url: str, principal: Principal, region: str, service: str, expires: int
) -> str:
    """A pre-signed GET URL for `base_url`, as botocore's SigV4QueryAuth makes them."""
    from botocore.auth import SigV4QueryAuth

    request = AWSRequest(method="GET", url=base_url)
    SigV4QueryAuth(
        Credentials(principal.access_key_id, principal.secret_access_key), service, region, expires=expires
    ).add_auth(request)
    return request.url


def derive_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 signing key (the streaming chunk-signature chain reuses it)."""
    key = hmac.new(f"AWS4{secret}".encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
