"""The embedded backend: each bucket is a directory DATA_DIR/buckets/<bucket>/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

from jargonaut.fileio import atomic_write
from jargonaut.storage.objects import ObjectAccessDenied, ObjectInfo, ObjectNotFound, ObjectRef


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
