"""The console's HTTP helpers: templates, security headers, CSRF check, safe redirects, byte ranges."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response

from jargonaut.console.sessions import same_token

TEMPLATES = Path(__file__).parent / "templates"
FORM_FIELD_BYTES = 1024 * 1024  # a text field of a form; files spool to disk and are capped by size_problem
FORM_OVERHEAD_BYTES = 64 * 1024  # the other fields and multipart headers around an upload


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["when"] = when
    env.filters["count"] = lambda n: f"{int(n):,}"
    return env


def when(value: Any) -> str:
    if value in (None, ""):
        return "—"
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromtimestamp(float(value), dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; "
                               "img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


async def csrf_ok(request: Request, expected: str) -> bool:
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form(max_part_size=FORM_FIELD_BYTES)  # parsed once; Starlette caches it
        given = str(form.get("csrf_token") or "")
    return same_token(expected, given)


async def size_problem(request: Request, limit: int) -> str | None:
    """Why a form upload is refused before it is parsed (its declared size), else None. Parsed
    forms spool their files to disk in chunks (python-multipart), so only the size needs a cap;
    a refused body is read and dropped, so the browser gets the answer rather than a reset."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return None
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= limit + FORM_OVERHEAD_BYTES:
        return None
    async for _ in request.stream():
        pass
    size = _size(int(declared)) if declared.isdigit() else "of unknown size"
    return (f"The upload is {size}, over this console's limit of {_size(limit)} per form "
            "(CONSOLE_MAX_UPLOAD_BYTES); nothing was uploaded. Copy larger files into the bucket with "
            "`aws s3 cp` and give their S3 URI instead.")


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1_000_000 else f"{n / 1e3:,.0f} KB"


def safe_next(value: str | None) -> str:
    """Only a path on this console (no scheme, no //host): never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def ranged(request: Request, body: bytes, media_type: str) -> Response:
    """Single byte ranges, so the audio player can seek."""
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "no-store"}
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", request.headers.get("range", ""))
    if not match or (not match.group(1) and not match.group(2)):
        return Response(body, media_type=media_type, headers=headers)
    size = len(body)
    if match.group(1):
        start, end = int(match.group(1)), int(match.group(2)) if match.group(2) else size - 1
    else:
        start, end = max(size - int(match.group(2)), 0), size - 1
    end = min(end, size - 1)
    if start > end:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(body[start:end + 1], status_code=206, media_type=media_type, headers=headers)
