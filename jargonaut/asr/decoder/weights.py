"""Read a CTranslate2 `model.bin` into float32 NumPy arrays.

File layout (CTranslate2 `models/model.cc`, binary version >= 2):
  u32 version; str spec_name; u32 spec_revision; u32 n_variables;
  n × (str name; u8 rank; u32 dims[rank]; u8 dtype; u32 n_bytes; bytes)
  u32 n_aliases; n × (str alias; str target)
where `str` is u16 length (including the trailing NUL) + bytes.
"""
from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

# CTranslate2 DataType enum order.
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def string(self) -> str:
        n = self.take("H")
        raw = self.data[self.pos : self.pos + n]
        self.pos += n
        return raw.rstrip(b"\0").decode("utf-8")

    def raw(self, n: int) -> bytes:
        raw = self.data[self.pos : self.pos + n]
        self.pos += n
        return raw


def read_model_bin(path: str | Path) -> dict[str, np.ndarray]:
    """All variables (aliases resolved), float weights as float32, int8 ones dequantised."""
    reader = _Reader(Path(path).read_bytes())
    version = reader.take("I")
    if version < 2:
        raise ValueError(f"unsupported CTranslate2 model.bin version {version}")
    reader.string()  # spec name
    reader.take("I")  # spec revision
    raw: dict[str, np.ndarray] = {}
    for _ in range(reader.take("I")):
        name = reader.string()
        rank = reader.take("B")
        dims = [reader.take("I") for _ in range(rank)]
        dtype = _DTYPES[reader.take("B")]
        n_bytes = reader.take("I")
        raw[name] = np.frombuffer(reader.raw(n_bytes), dtype=dtype).reshape(dims)
    if reader.pos < len(reader.data):
        for _ in range(reader.take("I")):
            alias, target = reader.string(), reader.string()
            raw[alias] = raw[target]
    out: dict[str, np.ndarray] = {}
    for name, value in raw.items():
        if name.endswith("_scale"):
            continue
        scale = raw.get(name + "_scale")
        if value.dtype == np.int8 and scale is not None and value.ndim == 2:
            # int8 rows quantised with one scale per output row: w = q / scale.
            out[name] = value.astype(np.float32) / scale.astype(np.float32).reshape(-1, 1)
        elif value.dtype in (np.float16, np.float32):
            out[name] = value.astype(np.float32)  # float32 keeps NumPy matmuls fast
        else:
            out[name] = value
    return out


@lru_cache(maxsize=2)
def load_weights(model_dir: str) -> dict[str, np.ndarray]:
    return read_model_bin(Path(model_dir) / "model.bin")
