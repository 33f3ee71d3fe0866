"""Speech recognition over a base model: faster-whisper (CTranslate2) for the plain path.

A custom language model switches to our own fused decoder (`jargonaut.asr.decoder`).
Loaded models are cached per base model, so jobs and streams share one copy.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from jargonaut.asr.base_models import BaseModel
from jargonaut.asr.types import Recognition, Segment, Word


@dataclass(frozen=True)
class DecodeOptions:
    beam_size: int = 5
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0: CTranslate2 picks (all cores)


def default_options() -> DecodeOptions:
    return DecodeOptions(
        beam_size=int(os.environ.get("JARGONAUT_BEAM_SIZE", "5")),
        compute_type=os.environ.get("JARGONAUT_COMPUTE_TYPE", "int8"),
        cpu_threads=int(os.environ.get("JARGONAUT_CPU_THREADS", "0")),
    )


_load_lock = threading.Lock()


@lru_cache(maxsize=4)
def _whisper(model: str, compute_type: str, cpu_threads: int):  # -> WhisperModel
    from faster_whisper import WhisperModel

    return WhisperModel(model, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads)


def load_whisper(base: BaseModel, options: DecodeOptions):
    with _load_lock:
        return _whisper(base.model, options.compute_type, options.cpu_threads)


def recognize(
    audio: np.ndarray,
    base: BaseModel,
    options: DecodeOptions | None = None,
    language_model: object | None = None,
    phrases: list[list[str]] | None = None,
) -> Recognition:
    """Transcribe 16 kHz mono float32 `audio` in full (long-form, word timings); a CLM or a custom
    vocabulary's `phrases` (each a list of words) switch to our fused decoder."""
    options = options or default_options()
    if language_model is not None or phrases:
        from jargonaut.asr.decoder import recognize_fused  # our decoder with shallow fusion

        return recognize_fused(audio, base, options, language_model, phrases=phrases)
    model = load_whisper(base, options)
    segments, info = model.transcribe(
        audio, language="en", beam_size=options.beam_size, word_timestamps=True
    )
    return recognition_from(segments, info)


def recognition_from(segments, info) -> Recognition:  # type: ignore[no-untyped-def]
    """faster-whisper's lazy segments (decoding happens while iterating) → Recognition."""
    result = [
        Segment(
            start=float(s.start),
            end=float(s.end),
            text=s.text,
            words=[Word(float(w.start), float(w.end), w.word, float(w.probability)) for w in (s.words or [])],
        )
        for s in segments
    ]
    return Recognition(segments=result, duration=info.duration)
