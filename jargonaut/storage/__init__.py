"""Object storage: file buckets (embedded default) or any S3-compatible endpoint."""
from __future__ import annotations

from jargonaut.settings import Settings
from jargonaut.storage.file_buckets import FileBuckets
from jargonaut.storage.objects import ObjectStore
from jargonaut.storage.s3 import S3Objects


def open_object_store(settings: Settings) -> ObjectStore:
    if settings.s3_endpoint_url:
        return S3Objects(
            settings.s3_endpoint_url,
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
            settings.s3_region,
        )
    return FileBuckets(settings.data_dir / "buckets")
