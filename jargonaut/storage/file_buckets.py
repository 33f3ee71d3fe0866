"""The embedded backend: each bucket is a directory DATA_DIR/buckets/<bucket>/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO, Iterator

from jargonaut.fileio import atomic_write, atomic_write_stream
from jargonaut.storage.objects import (
    BucketNotEmpty,
    InvalidKey,
    ObjectAccessDenied,
    ObjectInfo,
    ObjectNotFound,
    ObjectRef,
)


class FileBuckets:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _bucket_dir(self, bucket: str) -> Path:
        if "/" in bucket or bucket in ("", ".", ".."):
            raise ObjectAccessDenied(f"invalid bucket name {bucket!r}")
        return self.root / bucket

    def _path(self, ref: ObjectRef) -> Path:
        """Resolve a key inside its bucket; keys can never escape it (.., absolute, symlinks)."""
        bucket_dir = self._bucket_dir(ref.bucket)
        parts = ref.key.split("/")
        if ref.key.startswith("/") or any(p in ("..", ".") for p in parts) or "\0" in ref.key:
            raise ObjectAccessDenied(f"the key {ref.key!r} is not allowed")
        candidate = bucket_dir.joinpath(*[p for p in parts if p])
        resolved = candidate.resolve()
        if not resolved.is_relative_to(bucket_dir.resolve()):
            raise ObjectAccessDenied(f"the key {ref.key!r} points outside bucket {ref.bucket}")
        return resolved

    def download(self, ref: ObjectRef, destination: Path) -> None:
        if not self._bucket_dir(ref.bucket).is_dir():
            raise ObjectNotFound(f"the bucket {ref.bucket} does not exist")
        path = self._path(ref)
        if not path.is_file():
            raise ObjectNotFound(f"{ref.uri} does not exist")
        try:
            shutil.copyfile(path, destination)
        except PermissionError as exc:
            raise ObjectAccessDenied(f"{ref.uri} is not readable") from exc

    def upload(self, ref: ObjectRef, data: bytes, content_type: str = "application/json") -> None:
        if not self._bucket_dir(ref.bucket).is_dir():
            raise ObjectNotFound(f"the bucket {ref.bucket} does not exist")
        atomic_write(self._path(ref), data)

    def upload_stream(self, ref: ObjectRef, source: BinaryIO, content_type: str) -> None:
        if not self._bucket_dir(ref.bucket).is_dir():
            raise ObjectNotFound(f"the bucket {ref.bucket} does not exist")
        atomic_write_stream(self._path(ref), source)

    def list(self, bucket: str, prefix: str) -> Iterator[ObjectInfo]:
        bucket_dir = self._bucket_dir(bucket)
        if not bucket_dir.is_dir():
            raise ObjectNotFound(f"the bucket {bucket} does not exist")
        real_root = bucket_dir.resolve()
        for dirpath, dirnames, filenames in os.walk(bucket_dir):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if name.startswith(".") and name.endswith(".tmp"):
                    continue  # an atomic write in flight
                if not path.resolve().is_relative_to(real_root):
                    continue  # symlinks out of the bucket are invisible
                key = path.relative_to(bucket_dir).as_posix()
                if key.startswith(prefix):
                    yield ObjectInfo(key, path.stat().st_size)

    def public_uri(self, ref: ObjectRef) -> str:
        return ref.uri

    def exists(self, ref: ObjectRef) -> bool:
        try:
            return self._path(ref).is_file()
        except ObjectAccessDenied:
            return False

    def delete(self, ref: ObjectRef) -> None:
        self._path(ref).unlink(missing_ok=True)

    def check_writable(self, ref: ObjectRef) -> None:
        """A directory tree can't hold an object and a "folder" of the same name, as S3 can."""
        parts = ref.key.split("/")
        if any(p in ("", ".", "..") for p in parts) or "\0" in ref.key:
            raise InvalidKey(f"The key {ref.key!r} has an empty, '.' or '..' path segment.")
        try:
            path = self._path(ref)
        except ObjectAccessDenied as exc:
            raise InvalidKey(str(exc)) from exc
        bucket_dir = self._bucket_dir(ref.bucket)
        for depth in range(1, len(parts)):
            folder = bucket_dir.joinpath(*parts[:depth])
            if folder.exists() and not folder.is_dir():
                raise InvalidKey(
                    f"s3://{ref.bucket}/{'/'.join(parts[:depth])} is an object, so no object can be stored under it."
                )
        if path.is_dir():
            raise InvalidKey(f"s3://{ref.bucket}/{ref.key} is a folder that holds other objects.")

    def bucket_exists(self, bucket: str) -> bool:
        try:
            return self._bucket_dir(bucket).is_dir()
        except ObjectAccessDenied:
            return False

    def create_bucket(self, bucket: str) -> None:
        self._bucket_dir(bucket).mkdir(exist_ok=True)

    def delete_bucket(self, bucket: str) -> None:
        bucket_dir = self._bucket_dir(bucket)
        if not bucket_dir.is_dir():
            return
        if any(path.is_file() or path.is_symlink() for path in bucket_dir.rglob("*")):
            raise BucketNotEmpty(f"The bucket {bucket} is not empty.")
        shutil.rmtree(bucket_dir)

    def list_buckets(self) -> tuple[str, ...]:
        return tuple(sorted(p.name for p in self.root.iterdir() if p.is_dir()))
