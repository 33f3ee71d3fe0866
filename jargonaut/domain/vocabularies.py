"""Custom vocabularies: CreateVocabulary and friends, and what they return."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jargonaut.domain.common import Tag
from jargonaut.domain.members import member


@dataclass(frozen=True, kw_only=True)
class VocabularyContent:
    """What Create and Update both send: the name, the language and the entries (phrases or a file)."""
    name: str = field(metadata=member("VocabularyName"))
    language_code: str
    phrases: tuple[str, ...] | None = None
    vocabulary_file_uri: str | None = None  # an s3:// table or phrase list
    data_access_role_arn: str | None = None  # the role that may read the file
    encryption_configuration: dict[str, Any] | None = None  # KMS: refused by this server


@dataclass(frozen=True, kw_only=True)
class CreateVocabulary(VocabularyContent):
    tags: tuple[Tag, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateVocabulary(VocabularyContent):
    pass  # the same content as Create, replacing the vocabulary's (tags stay)


@dataclass(frozen=True)
class GetVocabulary:
    name: str = field(metadata=member("VocabularyName"))


@dataclass(frozen=True)
class ListVocabularies:
    state: str | None = field(default=None, metadata=member("StateEquals"))
    name_contains: str | None = None
    max_results: int | None = None
    next_token: str | None = None


@dataclass(frozen=True)
class DeleteVocabulary:
    name: str = field(metadata=member("VocabularyName"))


@dataclass(frozen=True)
class VocabularySummary:
    name: str = field(metadata=member("VocabularyName"))
    language_code: str
    state: str = field(metadata=member("VocabularyState"))  # PENDING | READY | FAILED
    last_modified_time: float  # seconds since the epoch


@dataclass(frozen=True)
class Vocabulary:
    """The vocabulary as Get describes it; Create and Update answer with fewer members (None left out)."""
    name: str = field(metadata=member("VocabularyName"))
    language_code: str
    state: str = field(metadata=member("VocabularyState"))
    last_modified_time: float
    failure_reason: str | None = None
    download_uri: str | None = None  # a pre-signed URL of the entries, once READY
    data_access_role_arn: str | None = None


@dataclass(frozen=True)
class VocabularyPage:
    vocabularies: tuple[VocabularySummary, ...]
    status: str | None = None  # the state asked for, echoed
    next_token: str | None = None
