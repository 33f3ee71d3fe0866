"""Read a PyTorch checkpoint's tensors into NumPy arrays, without torch.

torch is gigabytes and the only thing we need from it is its file format, so this reads the
legacy (pre-zip) serialisation that `torch.save` wrote up to torch 1.5: a few header pickles,
the object pickle whose tensors point at storages by persistent id, the list of storage keys,
then each storage's raw bytes. The unpickler is restricted: only the handful of classes a
state dict needs are resolved, so a hostile file cannot run code.
"""
from __future__ import annotations

import pickle
import struct
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class WeightsFormatError(ValueError):
    """The file is not a checkpoint this reader understands."""


class _Storage:
    """A storage's dtype and size from the pickle; its bytes arrive after the pickle."""

    def __init__(self, dtype: type, numel: int) -> None:
        self.dtype = np.dtype(dtype)
        self.numel = numel
        self.data: np.ndarray | None = None


class _LazyTensor:
    """A tensor's view of a storage, resolved once the storage bytes are read."""

    def __init__(self, storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...]) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def array(self) -> np.ndarray:
        assert self.storage.data is not None
        data = self.storage.data
        if not self.size:
            return data[self.offset].copy()
        itemsize = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset:], shape=self.size, strides=[s * itemsize for s in self.stride], writeable=False)
        return np.ascontiguousarray(view)


def _rebuild_tensor_v2(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                       *_ignored: Any) -> _LazyTensor:
    return _LazyTensor(storage, offset, size, stride)


class _StorageType:
    def __init__(self, name: str) -> None:
        self.dtype = _STORAGE_DTYPES[name]


class _Unpickler(pickle.Unpickler):
    def __init__(self, f: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(f)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) in (("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor")):
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise WeightsFormatError(f"unexpected object {module}.{name} in the checkpoint")

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise WeightsFormatError(f"unexpected persistent id {pid!r:.80}")
        storage_type, key, _location, numel, view = pid[1:6]
        if view is not None:
            raise WeightsFormatError("storage views are not supported")
        if key not in self.storages:
            self.storages[key] = _Storage(storage_type.dtype, int(numel))
        return self.storages[key]


def load_legacy_checkpoint(path: Path) -> Any:
    """The checkpoint's object with every tensor as a NumPy array (dicts stay dicts)."""
    with open(path, "rb") as f:
        try:
            if pickle.load(f) != LEGACY_MAGIC or pickle.load(f) != LEGACY_PROTOCOL:
                raise WeightsFormatError(f"{path.name} is not a legacy torch checkpoint")
            pickle.load(f)  # sys info (endianness, type sizes): little-endian is all we meet
            storages: dict[str, _Storage] = {}
            obj = _Unpickler(f, storages).load()
            keys = pickle.load(f)
        except (pickle.UnpicklingError, EOFError) as exc:
            raise WeightsFormatError(f"{path.name} is not a legacy torch checkpoint ({exc})") from exc
        for key in keys:
            storage = storages[key]
            (numel,) = struct.unpack("<q", f.read(8))
            if numel != storage.numel:
                raise WeightsFormatError(f"storage {key}: {numel} elements, {storage.numel} expected")
            raw = f.read(numel * storage.dtype.itemsize)
            if len(raw) != numel * storage.dtype.itemsize:
                raise WeightsFormatError(f"storage {key} is truncated")
            storage.data = np.frombuffer(raw, dtype=storage.dtype.newbyteorder("<"))
    return _resolve(obj)


def _resolve(obj: Any) -> Any:
    if isinstance(obj, _LazyTensor):
        return obj.array()
    if isinstance(obj, dict):
        return {k: _resolve(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_resolve(v) for v in obj)
    return obj
