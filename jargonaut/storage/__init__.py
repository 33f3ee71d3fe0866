"""Object storage: file buckets (embedded default) or any S3-compatible endpoint."""
from __future__ import annotations

from jargonaut.settings import Settings
from jargonaut.storage.file_buckets import FileBuckets
from jargonaut.storage.objects import ObjectStore
from jargonaut.storage.s3 import S3Objects
from jargonaut.storage.service_files import LocalServiceFiles, S3ServiceFiles, ServiceFiles


def open_object_store(settings: Settings) -> ObjectStore:
    if settings.s3_endpoint_url:
        return S3Objects(
            settings.s3_endpoint_url,
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
            settings.s3_region,
        )
    return FileBuckets(settings.data_dir / "buckets")


def open_service_files(settings: Settings) -> ServiceFiles:
    """Where transcripts and CLM artefacts live: the S3 endpoint's service bucket, or DATA_DIR."""
    if settings.s3_endpoint_url:
        objects = S3Objects(settings.s3_endpoint_url, settings.s3_access_key_id, settings.s3_secret_access_key,
                            settings.s3_region)
        return S3ServiceFiles(objects, settings.s3_service_bucket, settings.data_dir / "cache")
    return LocalServiceFiles(settings.data_dir)


def reserved_buckets(settings: Settings) -> frozenset[str]:
    """Bucket names no account may own or use: the service bucket on the S3 endpoint."""
    return frozenset({settings.s3_service_bucket}) if settings.s3_endpoint_url else frozenset()
