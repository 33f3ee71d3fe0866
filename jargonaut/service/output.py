"""Where a job's transcript goes: the customer's bucket (OutputBucketName/OutputKey) or ours."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from jargonaut.errors import BadRequestError
from jargonaut.storage.objects import ObjectRef

CUSTOMER_BUCKET = "CUSTOMER_BUCKET"
SERVICE_BUCKET = "SERVICE_BUCKET"


@dataclass(frozen=True)
class OutputLocation:
    kind: str  # CUSTOMER_BUCKET | SERVICE_BUCKET
    ref: ObjectRef | None  # customer object
    path: str | None  # service-side file, relative to DATA_DIR


def resolve_output(job_name: str, account_id: str, region: str, bucket: str | None, key: str | None) -> OutputLocation:
    """Amazon's rules: a key ending in '/' is a folder for `<job>.json`; a key without
    an extension gets '.json'; no key means `<job>.json` at the bucket's root."""
    if not bucket:
        if key:
            raise BadRequestError("OutputKey requires OutputBucketName.")
        return OutputLocation(SERVICE_BUCKET, None, f"transcripts/{account_id}/{region}/{job_name}.json")
    if not key:
        object_key = f"{job_name}.json"
    elif key.endswith("/"):
        object_key = f"{key}{job_name}.json"
    elif Path(key).suffix:
        object_key = key
    else:
        object_key = f"{key}.json"
    object_key = object_key.lstrip("/")
    if any(segment in ("", ".", "..") for segment in object_key.split("/")):
        raise BadRequestError(
            f"The OutputKey {key!r} isn't valid: a key can't contain empty, '.' or '..' path segments. "
            "Use a key such as folder/name.json."
        )
    return OutputLocation(CUSTOMER_BUCKET, ObjectRef(bucket, object_key), None)


def beside(location: OutputLocation, extension: str) -> OutputLocation:
    """A file written next to the transcript (subtitles): same name, another extension."""
    if location.ref is not None:
        stem = posixpath.splitext(location.ref.key)[0]
        return OutputLocation(location.kind, ObjectRef(location.ref.bucket, f"{stem}.{extension}"), None)
    assert location.path is not None
    return OutputLocation(location.kind, None, f"{posixpath.splitext(location.path)[0]}.{extension}")
