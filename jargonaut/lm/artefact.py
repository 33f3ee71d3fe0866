"""The `.clm` file: one versioned binary that loads by memory-mapping.

Layout (little endian):
    8 bytes   magic b"JGNTCLM\\n"
    4 bytes   format version (uint32)
    4 bytes   reserved (0)
    8 bytes   header length H (uint64)
    H bytes   header, UTF-8 JSON: metadata plus "arrays": {name: {dtype, shape, offset}}
    ...       arrays, each starting at a 64-byte aligned absolute offset

Per order n the arrays are `keys.n` (sorted uint64 n-gram hashes, see `hashing`),
`logprob.n` / `backoff.n` (float32, natural log), `ctx.n` (int32 row of the context in
order n-1, for export) and `last.n` (int32 word id); `vocab` is the words joined by "\\n"
in id order. Writes are atomic: temp name in the same directory, fsync, rename.
"""
from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

from jargonaut.fileio import fsync_dir

MAGIC = b"JGNTCLM\n"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<8sIIQ")
_ALIGN = 64


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def write_artefact(path: Path, header: dict, arrays: dict[str, np.ndarray]) -> int:
    """Write atomically; returns the file size. On any error nothing is left at `path`
    (and an existing file there is untouched)."""
    specs: dict[str, dict] = {}
    # Offsets depend on the header length, which depends on the offsets: iterate once
    # with a generous placeholder, then fix.
    header = dict(header, format_version=FORMAT_VERSION)
    body = 0
    for name, arr in arrays.items():
        specs[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": body}
        body = _aligned(body + arr.nbytes)
    meta = json.dumps(dict(header, arrays=specs), sort_keys=True).encode()
    start = _aligned(_PREFIX.size + len(meta) + 512)
    for spec in specs.values():
        spec["offset"] += start
    meta = json.dumps(dict(header, arrays=specs), sort_keys=True).encode()
    assert _PREFIX.size + len(meta) <= start

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(_PREFIX.pack(MAGIC, FORMAT_VERSION, 0, len(meta)))
            f.write(meta)
            for name, arr in arrays.items():
                f.seek(specs[name]["offset"])
                f.write(np.ascontiguousarray(arr).data.cast("B"))
            f.truncate(start + body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return start + body


def read_artefact(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Header and read-only memory maps of every array."""
    with open(path, "rb") as f:
        prefix = f.read(_PREFIX.size)
        if len(prefix) < _PREFIX.size:
            raise ValueError(f"{path}: not a CLM file (too short)")
        magic, version, _, hlen = _PREFIX.unpack(prefix)
        if magic != MAGIC:
            raise ValueError(f"{path}: not a CLM file")
        if version != FORMAT_VERSION:
            raise ValueError(f"{path}: CLM format version {version}, this build reads {FORMAT_VERSION}")
        header = json.loads(f.read(hlen))
    arrays = {}
    for name, spec in header.pop("arrays").items():
        shape = tuple(spec["shape"])
        if int(np.prod(shape)) == 0:
            arrays[name] = np.empty(shape, dtype=spec["dtype"])
        else:
            arrays[name] = np.memmap(path, dtype=spec["dtype"], mode="r", offset=spec["offset"], shape=shape)
    return header, arrays
