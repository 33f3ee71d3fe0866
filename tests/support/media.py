"""Test media made with PyAV from the evaluation clips: every container, odd rates, corrupt files."""
from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from jargonaut.asr.audio import decode

# (container format, codec, file suffix, sample rate the codec accepts)
ENCODINGS = {
    "mp3": ("mp3", "libmp3lame", ".mp3", 16000),
    "mp4": ("mp4", "aac", ".mp4", 16000),
    "m4a": ("ipod", "aac", ".m4a", 16000),
    "wav": ("wav", "pcm_s16le", ".wav", 16000),
    "flac": ("flac", "flac", ".flac", 16000),
    "ogg": ("ogg", "libopus", ".ogg", 48000),
    "webm": ("webm", "libopus", ".webm", 48000),
    "amr": ("amr", "libopencore_amrnb", ".amr", 8000),
}
#: Clips made once by `encode` where a PyAV wheel may lack the encoder: PyAV 18.1.1's FFmpeg has
#: AMR's decoders but no libopencore_amrnb, so `data/jfk.amr` is general/audio/jfk.flac encoded
#: by this module under PyAV 18.1.0 (AMR-NB, 12.2 kbit/s, 8 kHz). The service only decodes AMR.
STORED = Path(__file__).resolve().parents[1] / "data"


def encode(samples: np.ndarray, rate: int, path: Path, container: str, codec: str) -> Path:
    """Write mono float32 `samples` at `rate` with the given container and codec."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    with av.open(str(path), mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        if codec == "libopencore_amrnb":
            stream.bit_rate = 12200
        frame_size = stream.codec_context.frame_size or 1024
        pts = 0
        for start in range(0, len(pcm), frame_size):
            chunk = pcm[start : start + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = rate
            frame.pts = pts
            frame.time_base = Fraction(1, rate)
            pts += len(chunk)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def make_media(source: Path, media_format: str, directory: Path) -> Path:
    container, codec, suffix, rate = ENCODINGS[media_format]
    path = directory / f"{source.stem}-{media_format}{suffix}"
    if not _can_encode(codec):  # the clip made with the codec where it was available
        return Path(shutil.copy(STORED / f"{source.stem}{suffix}", path))
    return encode(decode(source, rate=rate), rate, path, container, codec)


def _can_encode(codec: str) -> bool:
    try:
        av.codec.Codec(codec, "w")
    except av.codec.codec.UnknownCodecError:
        return False
    return True


def make_wav(source: Path, rate: int, path: Path) -> Path:
    return encode(decode(source, rate=rate), rate, path, "wav", "pcm_s16le")


def make_stereo(left: Path, right: Path, path: Path, right_delay: float = 0.0, rate: int = 16000) -> Path:
    """A two-channel WAV (a telephone call: agent left, caller right) from two clips; the right one
    starts `right_delay` seconds in, and each channel is silent while the other speaks."""
    first = decode(left, rate=rate)
    second = np.concatenate([np.zeros(int(right_delay * rate), np.float32), decode(right, rate=rate)])
    length = max(len(first), len(second))
    planes = np.zeros((2, length), np.float32)
    planes[0, : len(first)] = first
    planes[1, : len(second)] = second
    pcm = (np.clip(planes, -1, 1) * 32767).astype(np.int16)
    with av.open(str(path), mode="w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=rate)
        stream.layout = "stereo"
        for start in range(0, length, 1024):
            chunk = np.ascontiguousarray(pcm[:, start : start + 1024].T).reshape(1, -1)  # interleaved
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="stereo")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def make_sequence(clips: list[Path], path: Path, gap: float = 0.6, rate: int = 16000) -> tuple[Path, list[tuple[float, float]]]:
    """A mono WAV of the clips one after another with `gap` seconds of silence between them (a
    conversation of several voices); also each clip's (start, end) seconds in it."""
    parts, spans, at = [], [], 0.0
    silence = np.zeros(int(gap * rate), np.float32)
    for clip in clips:
        samples = decode(clip, rate=rate)
        spans.append((at, at + len(samples) / rate))
        parts += [samples, silence]
        at += (len(samples) + len(silence)) / rate
    return encode(np.concatenate(parts), rate, path, "wav", "pcm_s16le"), spans
