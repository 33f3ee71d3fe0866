"""Object access, independent of the backend: s3:// URIs, object listings, errors."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol

from jargonaut.errors import BadRequestError

_S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/(.*)$")
_HTTPS_URI = re.compile(r"^https://s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com/([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/(.*)$")


class ObjectNotFound(Exception):
    """The bucket or key does not exist."""


class ObjectAccessDenied(Exception):
    """The backend refused access."""


class InvalidKey(Exception):
    """The backend cannot store an object under this key (e.g. an object where a folder must be)."""


class BucketNotEmpty(Exception):
    """A bucket must be empty to be deleted."""


@dataclass(frozen=True)
class ObjectRef:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int


def parse_uri(uri: str) -> ObjectRef:
    """`s3://bucket/key` (or Amazon's https path-style form) → ObjectRef."""
    match = _S3_URI.match(uri) or _HTTPS_URI.match(uri)
    if not match:
        raise BadRequestError(
            f"The URI {uri!r} is not valid. Use the form s3://bucket-name/object-key."
        )
    return ObjectRef(match.group(1), match.group(2))


class ObjectAccess(Protocol):
    """Reading and writing objects: what jobs and training use (a backend, or one caller's view)."""

    def download(self, ref: ObjectRef, destination: Path) -> None:
        """Copy the object to a local file (raises ObjectNotFound / ObjectAccessDenied)."""

    def upload(self, ref: ObjectRef, data: bytes, content_type: str = "application/json") -> None:
        """Store bytes atomically: readers never see a partial object."""

    def upload_stream(self, ref: ObjectRef, source: BinaryIO, content_type: str) -> None:
        """Store a file object's content atomically, read in chunks (large uploads)."""

    def list(self, bucket: str, prefix: str) -> Iterator[ObjectInfo]:
        """Every object whose key starts with `prefix`, recursively."""

    def public_uri(self, ref: ObjectRef) -> str:
        """Where a user finds the object (TranscriptFileUri for customer buckets)."""

    def exists(self, ref: ObjectRef) -> bool:
        """Is there an object under this key?"""

    def delete(self, ref: ObjectRef) -> None:
        """Remove one object (no error if it is already gone)."""

    def check_writable(self, ref: ObjectRef) -> None:
        """Raise InvalidKey if an upload to `ref` could not succeed for the key's shape."""


class ObjectStore(ObjectAccess, Protocol):
    """A backend: objects plus the buckets that hold them."""

    def bucket_exists(self, bucket: str) -> bool:
        """Does the bucket exist on the backend?"""

    def create_bucket(self, bucket: str) -> None:
        """Create the bucket on the backend (nothing if it exists)."""

    def delete_bucket(self, bucket: str) -> None:
        """Remove an empty bucket (BucketNotEmpty otherwise)."""

    def list_buckets(self) -> tuple[str, ...]:
        """Every bucket the backend has."""
