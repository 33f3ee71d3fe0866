"""The service's own durable files — transcripts, subtitle files, CLM artefacts — by key.

One interface, two backends: `LocalServiceFiles` keeps them under DATA_DIR (the embedded
default; the keys are the paths the service always used there), `S3ServiceFiles` in one
service-owned bucket of the S3 endpoint, so that any node can serve any transcript and load any
artefact. Only scratch (decode temp files) stays on a node's disk. Keys whose bytes never change
(CLM artefacts: a new key per training) may be read through `local_copy`, which on S3 fetches
them once into a node-local cache named by the key (never stale, since the key is immutable).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Protocol

from botocore.exceptions import ClientError

from jargonaut.fileio import atomic_write
from jargonaut.storage.objects import ObjectAccessDenied, ObjectNotFound, ObjectRef
from jargonaut.storage.s3 import S3Objects


class ServiceFiles(Protocol):
    def write(self, key: str, data: bytes) -> None:
        """Store bytes atomically under `key` (readers see the old bytes or all the new ones)."""

    def write_file(self, key: str, source: Path) -> None:
        """Store a local file under `key` (the file may be moved away)."""

    def read(self, key: str) -> bytes:
        """The bytes under `key` (ObjectNotFound if there are none)."""

    def local_copy(self, key: str) -> Path:
        """A local file holding the bytes of an immutable key (ObjectNotFound if there are none)."""

    def delete(self, key: str) -> None:
        """Remove `key` (no error if it is gone) and any local copy of it."""

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under a folder-like prefix ('clm/')."""

    def forget_local_copies(self, prefix: str, keep: set[str]) -> int:
        """Drop this node's local copies of keys under `prefix` not in `keep` (removed by any node)."""


def _check_key(key: str) -> None:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in key:
        raise ObjectAccessDenied(f"the service key {key!r} is not allowed")


class LocalServiceFiles:
    """DATA_DIR/<key>: the embedded default, the layout earlier releases wrote."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        _check_key(key)
        return self.root / key

    def write(self, key: str, data: bytes) -> None:
        atomic_write(self._path(key), data)

    def write_file(self, key: str, source: Path) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, path)  # scratch lives in the data dir: the same file system
        except OSError:
            shutil.copyfile(source, path)

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"the service file {key} does not exist") from exc

    def local_copy(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(f"the service file {key} does not exist")
        return path

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> Iterator[str]:
        top = self.root / prefix
        if not top.is_dir():
            return
        for dirpath, _, filenames in os.walk(top):
            for name in sorted(filenames):
                if not (name.startswith(".") and name.endswith(".tmp")):  # an atomic write in flight
                    yield (Path(dirpath) / name).relative_to(self.root).as_posix()

    def forget_local_copies(self, prefix: str, keep: set[str]) -> int:
        return 0  # the files are the copies


class S3ServiceFiles:
    """One service-owned bucket on the S3 endpoint; immutable keys cached under `cache_dir`."""

    def __init__(self, objects: S3Objects, bucket: str, cache_dir: Path) -> None:
        self.objects = objects
        self.bucket = bucket
        self.cache_dir = cache_dir
        objects.create_bucket(bucket)  # every node may be the first: creating is idempotent

    def _ref(self, key: str) -> ObjectRef:
        _check_key(key)
        return ObjectRef(self.bucket, key)

    def write(self, key: str, data: bytes) -> None:
        self.objects.upload(self._ref(key), data, "application/octet-stream")

    def write_file(self, key: str, source: Path) -> None:
        ref = self._ref(key)
        try:
            self.objects.client.upload_file(str(source), ref.bucket, ref.key)
        except ClientError as exc:
            raise S3Objects._translate(exc, ref.uri) from exc

    def read(self, key: str) -> bytes:
        ref = self._ref(key)
        try:
            return self.objects.client.get_object(Bucket=ref.bucket, Key=ref.key)["Body"].read()
        except ClientError as exc:
            raise S3Objects._translate(exc, ref.uri) from exc

    def local_copy(self, key: str) -> Path:
        cached = self.cache_dir / key
        _check_key(key)
        if cached.is_file():
            return cached
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=f".{cached.name}.", suffix=".tmp")
        os.close(fd)
        try:
            self.objects.download(self._ref(key), Path(tmp))
            os.replace(tmp, cached)  # two threads fetching the same key both end with whole files
        finally:
            Path(tmp).unlink(missing_ok=True)
        return cached

    def delete(self, key: str) -> None:
        self.objects.delete(self._ref(key))
        (self.cache_dir / key).unlink(missing_ok=True)  # a mapped copy stays readable to its users

    def keys(self, prefix: str) -> Iterator[str]:
        for info in self.objects.list(self.bucket, prefix):
            yield info.key

    def forget_local_copies(self, prefix: str, keep: set[str]) -> int:
        top = self.cache_dir / prefix
        copies = [p for p in top.rglob("*") if p.is_file() and not p.name.endswith(".tmp")] if top.is_dir() else []
        stale = [p for p in copies if p.relative_to(self.cache_dir).as_posix() not in keep]
        for path in stale:
            path.unlink(missing_ok=True)  # a mapped copy stays readable to its users
        return len(stale)
