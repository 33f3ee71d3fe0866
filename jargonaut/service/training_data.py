"""Training data from S3 prefixes, read through a data access role.

Every permission is evaluated before any byte is read: s3:ListBucket on the bucket, then
s3:GetObject on every object under the prefix; sizes are checked before downloading.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jargonaut.errors import BadRequestError
from jargonaut.service.iam import is_allowed, s3_bucket_arn, s3_object_arn
from jargonaut.service.roles import Role
from jargonaut.storage.objects import ObjectAccess, ObjectAccessDenied, ObjectInfo, ObjectNotFound, ObjectRef, parse_uri

MAX_TRAINING_BYTES = 2 * 1024**3
MAX_TUNING_BYTES = 200 * 1024**2


@dataclass(frozen=True)
class PrefixListing:
    prefix_uri: str
    bucket: str
    objects: list[ObjectInfo]

    @property
    def total_bytes(self) -> int:
        return sum(o.size for o in self.objects)


def list_prefix(store: ObjectAccess, role: Role, prefix_uri: str, limit: int, what: str, context: dict[str, str]) -> PrefixListing:
    ref = parse_uri(prefix_uri)
    bucket_arn = s3_bucket_arn(ref.bucket)
    if not is_allowed(role.policies, "s3:ListBucket", bucket_arn, context):
        raise BadRequestError(
            f"The data access role {role.arn} is not allowed to perform s3:ListBucket on {bucket_arn}."
        )
    try:
        objects = [o for o in store.list(ref.bucket, ref.key) if not o.key.endswith("/")]
    except ObjectNotFound as exc:
        raise BadRequestError(f"The {what} location {prefix_uri} cannot be read: {exc}.") from exc
    except ObjectAccessDenied as exc:
        raise BadRequestError(f"Access to {prefix_uri} was denied by the storage: {exc}.") from exc
    if not objects:
        raise BadRequestError(f"No {what} data was found under {prefix_uri}: the prefix is empty.")
    for obj in objects:
        object_arn = s3_object_arn(ref.bucket, obj.key)
        if not is_allowed(role.policies, "s3:GetObject", object_arn, context):
            raise BadRequestError(
                f"The data access role {role.arn} is not allowed to perform s3:GetObject on {object_arn}."
            )
    listing = PrefixListing(prefix_uri, ref.bucket, objects)
    if listing.total_bytes > limit:
        raise BadRequestError(
            f"The {what} data under {prefix_uri} is {listing.total_bytes / 1024**2:,.1f} MiB; "
            f"the limit is {limit / 1024**2:,.0f} MiB."
        )
    return listing


def download_listing(store: ObjectAccess, listing: PrefixListing, directory: Path) -> dict[Path, str]:
    """Download every object; returns local path → s3 URI, so errors can name the object."""
    directory.mkdir(parents=True, exist_ok=True)
    local: dict[Path, str] = {}
    for index, obj in enumerate(listing.objects):
        ref = ObjectRef(listing.bucket, obj.key)
        path = directory / f"{index:06d}-{Path(obj.key).name or 'object'}"
        try:
            store.download(ref, path)
        except (ObjectNotFound, ObjectAccessDenied) as exc:
            raise BadRequestError(f"{ref.uri} could not be read: {exc}.") from exc
        local[path] = ref.uri
    return local
