"""Audio decoding and resampling through PyAV (FFmpeg's decoders and libswresample)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from jargonaut.errors import MediaError

TARGET_RATE = 16000
MIN_RATE, MAX_RATE = 8000, 48000

# PyAV container format names (FFmpeg demuxers) for each Transcribe MediaFormat.
FORMAT_DEMUXERS: dict[str, set[str]] = {
    "mp3": {"mp3"},
    "mp4": {"mov", "mp4", "m4a", "3gp", "3g2", "mj2"},
    "m4a": {"mov", "mp4", "m4a", "3gp", "3g2", "mj2"},
    "wav": {"wav"},
    "flac": {"flac"},
    "ogg": {"ogg"},
    "amr": {"amr"},
    "webm": {"matroska", "webm"},
}


@dataclass(frozen=True)
class MediaInfo:
    media_format: str  # the Transcribe MediaFormat the container matches
    sample_rate: int
    channels: int
    duration: float


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r")
    except (av.error.InvalidDataError, av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise MediaError(
            "The media file could not be decoded: it is corrupt or not a supported "
            "audio format (mp3, mp4, wav, flac, ogg, amr, webm, m4a)."
        ) from exc


def _media_format(container: av.container.InputContainer) -> str:
    demuxers = set(container.format.name.split(","))
    for media_format, names in FORMAT_DEMUXERS.items():
        if demuxers & names:
            return media_format
    raise MediaError(
        f"Unsupported media format '{container.format.name}'. Use one of: "
        "mp3, mp4, wav, flac, ogg, amr, webm, m4a."
    )


def probe(path: Path) -> MediaInfo:
    """Identify the container and the first audio stream without decoding it all."""
    with _open(path) as container:
        media_format = _media_format(container)
        if not container.streams.audio:
            raise MediaError("The media file has no audio stream.")
        stream = container.streams.audio[0]
        rate = int(stream.codec_context.sample_rate or stream.rate or 0)
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        return MediaInfo(media_format, rate, int(stream.codec_context.channels or 1), duration)


def decode(path: Path, rate: int = TARGET_RATE) -> np.ndarray:
    """Decode the first audio stream to mono float32 at `rate` Hz."""
    return _decode(path, rate, "mono")[0]


def decode_channels(path: Path, rate: int = TARGET_RATE) -> list[np.ndarray]:
    """Decode the first audio stream to one float32 array per channel (stereo at most) at `rate` Hz."""
    channels = probe(path).channels
    if channels > 2:
        raise MediaError(f"The audio has {channels} channels; channel identification supports at most two.")
    return _decode(path, rate, "stereo" if channels == 2 else "mono")


def _decode(path: Path, rate: int, layout: str) -> list[np.ndarray]:
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)  # planar: one row per channel
    chunks: list[np.ndarray] = []
    with _open(path) as container:
        if not container.streams.audio:
            raise MediaError("The media file has no audio stream.")
        stream = container.streams.audio[0]
        try:
            for frame in container.decode(stream):
                frame.pts = None  # let the resampler keep its own clock
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
        except av.error.FFmpegError as exc:
            raise MediaError(f"The media file is corrupt: decoding failed ({exc}).") from exc
    if not chunks:
        raise MediaError("The media file contains no decodable audio.")
    samples = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    return [np.ascontiguousarray(row) for row in samples]
