"""Evaluation clips as the streaming encodings (pcm s16le, flac, ogg-opus) in temporary files."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from jargonaut.asr.audio import decode


def pcm_file(source: Path, rate: int, out: Path, lead_silence: float = 0.5, tail_silence: float = 1.0) -> Path:
    samples = decode(source, rate=rate)
    samples = np.concatenate([np.zeros(int(lead_silence * rate), np.float32), samples,
                              np.zeros(int(tail_silence * rate), np.float32)])
    out.write_bytes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out


def encoded_file(source: Path, rate: int, out: Path, container: str, codec: str) -> Path:
    from tests.support.media import encode

    return encode(decode(source, rate=rate), rate, out, container, codec)
