"""Atomic writes: temp name in the same directory, fsync, rename, fsync the directory."""
from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

CHUNK_BYTES = 1024 * 1024


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    atomic_write_stream(path, io.BytesIO(data), mode)


def atomic_write_stream(path: Path, source: BinaryIO, mode: int = 0o644) -> None:
    """Like atomic_write, copying from a file object in chunks (never all of it in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            shutil.copyfileobj(source, handle, CHUNK_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename durable: fsync the directory that holds the new name."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
