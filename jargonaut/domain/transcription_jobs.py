"""Transcription jobs: StartTranscriptionJob and friends, and what they return."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jargonaut.domain.common import Tag
from jargonaut.domain.members import member


@dataclass(frozen=True)
class JobSettings:
    """Transcribe's `Settings` of a job."""
    vocabulary_name: str | None = None
    vocabulary_filter_name: str | None = None
    vocabulary_filter_method: str | None = None  # remove | mask | tag
    show_speaker_labels: bool | None = None
    max_speaker_labels: int | None = None
    channel_identification: bool | None = None
    show_alternatives: bool | None = None
    max_alternatives: int | None = None


@dataclass(frozen=True)
class Subtitles:
    formats: tuple[str, ...] | None = None  # srt, vtt
    output_start_index: int | None = None


@dataclass(frozen=True)
class StartTranscriptionJob:
    name: str = field(metadata=member("TranscriptionJobName"))
    media_uri: str | None = field(default=None, metadata=member("Media.MediaFileUri"))
    language_code: str | None = None
    language_model_name: str | None = field(default=None, metadata=member("ModelSettings.LanguageModelName"))
    media_sample_rate_hertz: int | None = None
    media_format: str | None = None
    output_bucket_name: str | None = None
    output_key: str | None = None
    settings: JobSettings | None = None
    subtitles: Subtitles | None = None
    identify_language: bool | None = None
    language_options: tuple[str, ...] | None = None
    tags: tuple[Tag, ...] | None = None
    # Amazon features this server refuses by name (carried as given so the refusal can name them).
    redacted_media_uri: str | None = field(default=None, metadata=member("Media.RedactedMediaFileUri"))
    output_encryption_kms_key_id: str | None = field(default=None, metadata=member("OutputEncryptionKMSKeyId"))
    kms_encryption_context: dict[str, str] | None = field(default=None, metadata=member("KMSEncryptionContext"))
    job_execution_settings: dict[str, Any] | None = None
    content_redaction: dict[str, Any] | None = None
    identify_multiple_languages: bool | None = None
    language_id_settings: dict[str, Any] | None = None
    toxicity_detection: list[Any] | None = None


@dataclass(frozen=True)
class GetTranscriptionJob:
    name: str = field(metadata=member("TranscriptionJobName"))


@dataclass(frozen=True)
class ListTranscriptionJobs:
    status: str | None = None
    name_contains: str | None = field(default=None, metadata=member("JobNameContains"))
    max_results: int | None = None
    next_token: str | None = None


@dataclass(frozen=True)
class DeleteTranscriptionJob:
    name: str = field(metadata=member("TranscriptionJobName"))


@dataclass(frozen=True)
class SubtitlesOutput:
    formats: tuple[str, ...] | None = None
    subtitle_file_uris: tuple[str, ...] | None = None  # once the job has COMPLETED
    output_start_index: int | None = None


@dataclass(frozen=True)
class TranscriptionJob:
    name: str = field(metadata=member("TranscriptionJobName"))
    status: str = field(metadata=member("TranscriptionJobStatus"))  # QUEUED | IN_PROGRESS | COMPLETED | FAILED
    media_uri: str | None = field(default=None, metadata=member("Media.MediaFileUri"))
    language_code: str | None = None
    language_model_name: str | None = field(default=None, metadata=member("ModelSettings.LanguageModelName"))
    media_sample_rate_hertz: int | None = None
    media_format: str | None = None
    transcript_uri: str | None = field(default=None, metadata=member("Transcript.TranscriptFileUri"))
    creation_time: float | None = None  # seconds since the epoch
    start_time: float | None = None
    completion_time: float | None = None
    failure_reason: str | None = None
    settings: JobSettings | None = None
    subtitles: SubtitlesOutput | None = None
    identify_language: bool | None = None
    language_options: tuple[str, ...] | None = None
    identified_language_score: float | None = None  # IdentifyLanguage: the identified LanguageCode's score (0-1)
    tags: tuple[Tag, ...] | None = None
    redacted_media_uri: str | None = field(default=None, metadata=member("Media.RedactedMediaFileUri"))


@dataclass(frozen=True)
class TranscriptionJobSummary:
    name: str = field(metadata=member("TranscriptionJobName"))
    status: str = field(metadata=member("TranscriptionJobStatus"))
    language_code: str | None = None
    language_model_name: str | None = field(default=None, metadata=member("ModelSettings.LanguageModelName"))
    creation_time: float | None = None
    start_time: float | None = None
    completion_time: float | None = None
    failure_reason: str | None = None
    output_location_type: str | None = None  # CUSTOMER_BUCKET | SERVICE_BUCKET
    identify_language: bool | None = None


@dataclass(frozen=True)
class TranscriptionJobPage:
    summaries: tuple[TranscriptionJobSummary, ...] = field(metadata=member("TranscriptionJobSummaries"))
    status: str | None = None  # the filter the page was listed with
    next_token: str | None = None
