"""Any S3-compatible endpoint through boto3."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from jargonaut.storage.objects import BucketNotEmpty, ObjectAccessDenied, ObjectInfo, ObjectNotFound, ObjectRef

_NOT_FOUND = {"NoSuchKey", "NoSuchBucket", "404", "NotFound"}
_DENIED = {"AccessDenied", "403", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch"}


class S3Objects:
    def __init__(self, endpoint_url: str, access_key_id: str, secret_access_key: str, region: str) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            region_name=region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )

    @staticmethod
    def _translate(exc: ClientError, what: str) -> Exception:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NOT_FOUND:
            return ObjectNotFound(f"{what} does not exist")
        if code in _DENIED:
            return ObjectAccessDenied(f"access to {what} was denied")
        return exc

    def download(self, ref: ObjectRef, destination: Path) -> None:
        try:
            self.client.download_file(ref.bucket, ref.key, str(destination))
        except ClientError as exc:
            raise self._translate(exc, ref.uri) from exc

    def upload(self, ref: ObjectRef, data: bytes, content_type: str = "application/json") -> None:
        # A single PUT is atomic in S3: readers see the old object or the whole new one.
        try:
            self.client.put_object(Bucket=ref.bucket, Key=ref.key, Body=data, ContentType=content_type)
        except ClientError as exc:
            raise self._translate(exc, ref.uri) from exc

    def upload_stream(self, ref: ObjectRef, source: BinaryIO, content_type: str) -> None:
        # Multipart above boto3's threshold; S3 shows the object only once it is complete.
        try:
            self.client.upload_fileobj(source, ref.bucket, ref.key, ExtraArgs={"ContentType": content_type})
        except ClientError as exc:
            raise self._translate(exc, ref.uri) from exc

    def list(self, bucket: str, prefix: str) -> Iterator[ObjectInfo]:
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(item["Key"], int(item["Size"]))
        except ClientError as exc:
            raise self._translate(exc, f"s3://{bucket}/{prefix}") from exc

    def public_uri(self, ref: ObjectRef) -> str:
        return f"{self.endpoint_url}/{ref.bucket}/{ref.key}" if self.endpoint_url else (
            f"https://s3.amazonaws.com/{ref.bucket}/{ref.key}"
        )

    def exists(self, ref: ObjectRef) -> bool:
        try:
            self.client.head_object(Bucket=ref.bucket, Key=ref.key)
            return True
        except ClientError as exc:
            if isinstance(self._translate(exc, ref.uri), ObjectNotFound):
                return False
            raise self._translate(exc, ref.uri) from exc

    def delete(self, ref: ObjectRef) -> None:
        try:
            self.client.delete_object(Bucket=ref.bucket, Key=ref.key)
        except ClientError as exc:
            raise self._translate(exc, ref.uri) from exc

    def check_writable(self, ref: ObjectRef) -> None:
        """S3 keys are flat: any key the service accepts can be written."""

    def bucket_exists(self, bucket: str) -> bool:
        try:
            self.client.head_bucket(Bucket=bucket)
            return True
        except ClientError as exc:
            return not isinstance(self._translate(exc, f"s3://{bucket}"), ObjectNotFound)

    def create_bucket(self, bucket: str) -> None:
        if self.bucket_exists(bucket):
            return
        try:
            self.client.create_bucket(Bucket=bucket)
        except ClientError as exc:
            raise self._translate(exc, f"s3://{bucket}") from exc

    def delete_bucket(self, bucket: str) -> None:
        try:
            self.client.delete_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "BucketNotEmpty":
                raise BucketNotEmpty(f"The bucket {bucket} is not empty.") from exc
            translated = self._translate(exc, f"s3://{bucket}")
            if not isinstance(translated, ObjectNotFound):
                raise translated from exc

    def list_buckets(self) -> tuple[str, ...]:
        try:
            return tuple(sorted(b["Name"] for b in self.client.list_buckets().get("Buckets", [])))
        except ClientError as exc:
            raise self._translate(exc, "the bucket list") from exc
