"""Our decoder's parts over a loaded base model, from one engine shared by the test session."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from jargonaut.asr.decoder.fused import FusedGenerator as FusedWhisper
from jargonaut.asr.engine import SpeechEngine

__all__ = ["FusedWhisper", "_components", "engine", "wideband_parts"]


@lru_cache(maxsize=1)
def engine() -> SpeechEngine:
    return SpeechEngine.from_settings()


def _components(model_dir: str, compute_type: str, cpu_threads: int) -> tuple[Any, Any, Any]:
    """(faster-whisper model, step decoder, vocabulary) as the engine builds them."""
    parts = engine().parts(model_dir, compute_type, cpu_threads)
    return parts.whisper, parts.decoder, parts.vocab


def wideband_parts() -> Any:
    """The engine's decoder parts for the WideBand base model at the batch decode settings."""
    base = engine().base_models["WideBand"]
    options = engine().options.decode
    return engine().parts(base.model, options.compute_type, options.cpu_threads)
