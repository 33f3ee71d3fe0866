"""StartStreamTranscription parameters: parsed from HTTP/2 headers or WebSocket query, echoed back."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Mapping

from jargonaut.asr.base_models import SUPPORTED_LANGUAGES
from jargonaut.errors import BadRequestError

MIN_RATE, MAX_RATE = 8000, 48000
# The declared rate of raw PCM is trusted, as Amazon does: PCM carries no rate, and 16 kHz audio
# declared as 48 kHz is speech played 3x faster, which no cheap signal tells reliably from a
# high voice, a band-limited microphone or music (docs/ARCHITECTURE.md, "stream").
ENCODINGS = ("pcm", "flac", "ogg-opus")
STABILITY = ("low", "medium", "high")
FILTER_METHODS = ("mask", "remove", "tag")
HEADER_PREFIX = "x-amzn-transcribe-"


@dataclass(frozen=True)
class StreamParams:
    language_code: str
    sample_rate: int
    media_encoding: str
    session_id: str
    language_model_name: str | None = None
    stabilization: bool = False
    stability: str | None = None
    vocabulary_filter_name: str | None = None
    vocabulary_filter_method: str | None = None
    vocabulary_name: str | None = None
    show_speaker_label: bool = False

    def echo_headers(self) -> list[tuple[str, str]]:
        """The accepted values, as response headers (the SDK reads them back)."""
        out = [
            ("language-code", self.language_code),
            ("sample-rate", str(self.sample_rate)),
            ("media-encoding", self.media_encoding),
            ("session-id", self.session_id),
        ]
        if self.language_model_name:
            out.append(("language-model-name", self.language_model_name))
        if self.stabilization:
            out.append(("enable-partial-results-stabilization", "true"))
            out.append(("partial-results-stability", self.stability or "high"))
        if self.vocabulary_name:
            out.append(("vocabulary-name", self.vocabulary_name))
        if self.show_speaker_label:
            out.append(("show-speaker-label", "true"))
        if self.vocabulary_filter_name:
            out.append(("vocabulary-filter-name", self.vocabulary_filter_name))
            out.append(("vocabulary-filter-method", self.vocabulary_filter_method or "mask"))
        return [(HEADER_PREFIX + k, v) for k, v in out]


def _bool(name: str, value: str | None) -> bool:
    if value is None or value == "":
        return False
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise BadRequestError(f"{name} must be true or false, not {value!r}.")
    return lowered == "true"


def parse(values: Mapping[str, str]) -> StreamParams:
    """`values` uses the short names (language-code, sample-rate, ...), from headers or query."""
    language = values.get("language-code")
    if not language:
        raise BadRequestError("A language code is required (language-code).")
    if language not in SUPPORTED_LANGUAGES:
        raise BadRequestError(f"Language code {language!r} is not supported; use one of {', '.join(SUPPORTED_LANGUAGES)}.")
    raw_rate = values.get("sample-rate")
    try:
        rate = int(raw_rate or "")
    except ValueError:
        raise BadRequestError(f"The sample rate must be a whole number of hertz, not {raw_rate!r}.") from None
    if not MIN_RATE <= rate <= MAX_RATE:
        raise BadRequestError(f"The sample rate {rate} Hz is out of range: use {MIN_RATE} to {MAX_RATE} Hz.")
    encoding = values.get("media-encoding")
    if encoding not in ENCODINGS:
        raise BadRequestError(f"Media encoding {encoding!r} is not supported; use one of {', '.join(ENCODINGS)}.")
    stabilization = _bool("enable-partial-results-stabilization", values.get("enable-partial-results-stabilization"))
    stability = values.get("partial-results-stability") or None
    if stability is not None:
        stability = stability.lower()
        if stability not in STABILITY:
            raise BadRequestError(f"Partial results stability {stability!r} must be low, medium or high.")
        if not stabilization:
            raise BadRequestError("partial-results-stability needs enable-partial-results-stabilization=true.")
    show_speaker_label = _bool("show-speaker-label", values.get("show-speaker-label"))
    if _bool("enable-channel-identification", values.get("enable-channel-identification")):
        raise BadRequestError("enable-channel-identification: channel identification is not supported on streams "
                              "by this server.")
    for member in ("vocabulary-names", "vocabulary-filter-names", "identify-language", "identify-multiple-languages",
                   "content-redaction-type", "content-identification-type"):
        if values.get(member) and values.get(member) != "false":
            raise BadRequestError(f"{member} is not supported on streams by this server.")
    filter_name = values.get("vocabulary-filter-name") or None
    filter_method = values.get("vocabulary-filter-method") or None
    if filter_method is not None and filter_method not in FILTER_METHODS:
        raise BadRequestError(f"vocabulary-filter-method {filter_method!r} must be mask, remove or tag.")
    if filter_method is not None and filter_name is None:
        raise BadRequestError("vocabulary-filter-method needs vocabulary-filter-name.")
    session_id = values.get("session-id") or str(uuid.uuid4())
    try:
        uuid.UUID(session_id)
    except ValueError:
        raise BadRequestError(f"The session id {session_id!r} is not a UUID.") from None
    return StreamParams(
        language_code=language,
        sample_rate=rate,
        media_encoding=encoding,
        session_id=session_id,
        language_model_name=values.get("language-model-name") or None,
        stabilization=stabilization,
        stability=(stability or "high") if stabilization else None,
        vocabulary_filter_name=filter_name,
        vocabulary_filter_method=(filter_method or "mask") if filter_name else None,  # Amazon's default: mask
        vocabulary_name=values.get("vocabulary-name") or None,
        show_speaker_label=show_speaker_label,
    )


def from_headers(headers: Mapping[str, str]) -> StreamParams:
    return parse({k[len(HEADER_PREFIX):]: v for k, v in headers.items() if k.startswith(HEADER_PREFIX)})
