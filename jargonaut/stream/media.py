"""Streamed audio to 16 kHz mono float32: raw PCM, FLAC and Ogg/Opus through PyAV.

Compressed encodings arrive as a container byte stream cut at arbitrary points, so a
small thread per stream demuxes from a blocking pipe while the event loop keeps feeding it.
"""
from __future__ import annotations

import io
import queue
import threading
from typing import Protocol

import av
import numpy as np

from jargonaut.errors import BadRequestError

TARGET_RATE = 16000


class StreamDecoder(Protocol):
    def feed(self, data: bytes) -> np.ndarray: ...
    def finish(self) -> np.ndarray: ...
    def close(self) -> None: ...


def _concat(chunks: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)


class _Resampler:
    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)

    def push(self, frame: av.AudioFrame | None) -> list[np.ndarray]:
        if frame is not None:
            frame.pts = None  # the resampler keeps its own clock
        return [out.to_ndarray().reshape(-1) for out in self._resampler.resample(frame)]


class PcmDecoder:
    """Signed 16-bit little-endian mono PCM at the declared rate."""

    def __init__(self, sample_rate: int) -> None:
        self._rate = sample_rate
        self._carry = b""  # an odd byte split across events
        self._resampler = _Resampler() if sample_rate != TARGET_RATE else None

    def feed(self, data: bytes) -> np.ndarray:
        data = self._carry + data
        usable = len(data) - len(data) % 2
        self._carry = data[usable:]
        if not usable:
            return np.zeros(0, np.float32)
        pcm = np.frombuffer(data[:usable], dtype="<i2")
        if self._resampler is None:
            return pcm.astype(np.float32) / 32768.0
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self._rate
        return _concat(self._resampler.push(frame))

    def finish(self) -> np.ndarray:
        return _concat(self._resampler.push(None)) if self._resampler else np.zeros(0, np.float32)

    def close(self) -> None:
        pass


class _BlockingPipe(io.RawIOBase):
    """A file the demuxer thread reads; reads block until bytes arrive or the writer closes."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._closed_for_writing = False
        self._cond = threading.Condition()

    def readable(self) -> bool:
        return True

    def write_bytes(self, data: bytes) -> None:
        with self._cond:
            self._data += data
            self._cond.notify_all()

    def end(self) -> None:
        with self._cond:
            self._closed_for_writing = True
            self._cond.notify_all()

    def readinto(self, buffer) -> int:  # type: ignore[override]
        with self._cond:
            while not self._data and not self._closed_for_writing:
                self._cond.wait()
            n = min(len(buffer), len(self._data))
            buffer[:n] = self._data[:n]
            del self._data[:n]
            return n


class ContainerDecoder:
    """FLAC or Ogg/Opus: demux and decode on a helper thread, hand back what is ready."""

    def __init__(self, container_format: str) -> None:
        self._format = container_format
        self._pipe = _BlockingPipe()
        self._out: queue.Queue[np.ndarray] = queue.Queue()
        self.error: str | None = None
        self._fed = 0
        self._decoded = 0
        self._thread = threading.Thread(target=self._run, name=f"stream-{container_format}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        resampler = _Resampler()
        try:
            # Small probe so the first audio is not held back waiting for megabytes.
            with av.open(self._pipe, mode="r", format=self._format,
                         options={"probesize": "4096", "analyzeduration": "0"}) as container:
                if not container.streams.audio:
                    raise BadRequestError("The audio stream has no audio track.")
                for frame in container.decode(container.streams.audio[0]):
                    for chunk in resampler.push(frame):
                        self._decoded += len(chunk)
                        self._out.put(chunk)
                for chunk in resampler.push(None):
                    self._out.put(chunk)
        except Exception as exc:  # noqa: BLE001 - reported to the client as a BadRequest
            self.error = f"The {self._format} audio could not be decoded ({type(exc).__name__}: {exc})."

    def _drain(self) -> np.ndarray:
        chunks = []
        while True:
            try:
                chunks.append(self._out.get_nowait())
            except queue.Empty:
                return _concat(chunks)

    def _check(self) -> None:
        if self.error:
            raise BadRequestError(self.error)

    def feed(self, data: bytes) -> np.ndarray:
        self._check()
        self._fed += len(data)
        self._pipe.write_bytes(data)
        return self._drain()

    def finish(self) -> np.ndarray:
        self._pipe.end()
        self._thread.join(timeout=30)
        self._check()
        tail = self._drain()
        if self._fed and not self._decoded:
            raise BadRequestError(f"The audio is not a valid {self._format} stream: nothing could be decoded from it.")
        return tail

    def close(self) -> None:
        self._pipe.end()


def open_decoder(media_encoding: str, sample_rate: int) -> StreamDecoder:
    if media_encoding == "pcm":
        return PcmDecoder(sample_rate)
    if media_encoding == "flac":
        return ContainerDecoder("flac")
    if media_encoding == "ogg-opus":
        return ContainerDecoder("ogg")
    raise BadRequestError(f"Media encoding {media_encoding!r} is not supported.")
