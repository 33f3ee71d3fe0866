"""Custom language models: CreateLanguageModel and friends, and what they return."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jargonaut.domain.common import Tag
from jargonaut.domain.members import member


@dataclass(frozen=True)
class InputDataConfig:
    s3_uri: str  # the training text: an s3:// prefix
    data_access_role_arn: str  # the account's role that may read it
    tuning_data_s3_uri: str | None = None


@dataclass(frozen=True)
class CreateLanguageModel:
    name: str = field(metadata=member("ModelName"))
    language_code: str = field(metadata=member("LanguageCode"))
    base_model_name: str = field(metadata=member("BaseModelName"))  # NarrowBand | WideBand
    input_data_config: InputDataConfig = field(metadata=member("InputDataConfig"))
    tags: tuple[Tag, ...] | None = None
    encryption_configuration: dict[str, Any] | None = None  # KMS: refused by this server


@dataclass(frozen=True)
class DescribeLanguageModel:
    name: str = field(metadata=member("ModelName"))


@dataclass(frozen=True)
class ListLanguageModels:
    status: str | None = field(default=None, metadata=member("StatusEquals"))
    name_contains: str | None = None
    max_results: int | None = None
    next_token: str | None = None


@dataclass(frozen=True)
class DeleteLanguageModel:
    name: str = field(metadata=member("ModelName"))


@dataclass(frozen=True)
class LanguageModel:
    name: str = field(metadata=member("ModelName"))
    status: str = field(metadata=member("ModelStatus"))  # IN_PROGRESS | COMPLETED | FAILED
    language_code: str = field(metadata=member("LanguageCode"))
    base_model_name: str = field(metadata=member("BaseModelName"))
    input_data_config: InputDataConfig = field(metadata=member("InputDataConfig"))
    create_time: float | None = None  # seconds since the epoch
    last_modified_time: float | None = None
    upgrade_availability: bool | None = None  # a newer base model version exists: Retrain
    failure_reason: str | None = None


@dataclass(frozen=True)
class LanguageModelPage:
    models: tuple[LanguageModel, ...]
    next_token: str | None = None
