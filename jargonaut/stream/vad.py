"""Streaming Silero VAD (the ONNX model faster-whisper ships), one 32 ms window at a time.

faster-whisper's `get_speech_timestamps` wants the whole file; here the recurrent state
(h, c) and the 64-sample context carry over between calls, so probabilities match the
batch computation while audio trickles in.
"""
from __future__ import annotations

import numpy as np
from faster_whisper.vad import get_vad_model

WINDOW = 512  # samples at 16 kHz = 32 ms
CONTEXT = 64


class StreamingVad:
    def __init__(self) -> None:
        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def accept(self, audio: np.ndarray) -> np.ndarray:
        """Speech probabilities for every complete window now available (in order)."""
        data = np.concatenate([self._pending, audio.astype(np.float32, copy=False)])
        n = len(data) // WINDOW
        self._pending = data[n * WINDOW:]
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        windows = data[: n * WINDOW].reshape(n, WINDOW)
        contexts = np.concatenate([self._context[None, :], windows[:-1, -CONTEXT:]], axis=0)
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(out, dtype=np.float32).reshape(-1)
