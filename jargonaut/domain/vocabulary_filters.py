"""Vocabulary filters: CreateVocabularyFilter and friends, and what they return."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jargonaut.domain.common import Tag
from jargonaut.domain.members import member


@dataclass(frozen=True, kw_only=True)
class VocabularyFilterContent:
    """What Create and Update both send: the name and the words (a list or a file)."""
    name: str = field(metadata=member("VocabularyFilterName"))
    words: tuple[str, ...] | None = None
    vocabulary_filter_file_uri: str | None = None  # an s3:// text file, one word a line
    data_access_role_arn: str | None = None  # refused: the file is read with the caller's permissions
    encryption_configuration: dict[str, Any] | None = None  # KMS: refused by this server


@dataclass(frozen=True, kw_only=True)
class CreateVocabularyFilter(VocabularyFilterContent):
    language_code: str
    tags: tuple[Tag, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateVocabularyFilter(VocabularyFilterContent):
    pass  # the same words as Create, replacing the filter's (its language and tags stay)


@dataclass(frozen=True)
class GetVocabularyFilter:
    name: str = field(metadata=member("VocabularyFilterName"))


@dataclass(frozen=True)
class ListVocabularyFilters:
    name_contains: str | None = None
    max_results: int | None = None
    next_token: str | None = None


@dataclass(frozen=True)
class DeleteVocabularyFilter:
    name: str = field(metadata=member("VocabularyFilterName"))


@dataclass(frozen=True)
class VocabularyFilterInfo:
    name: str = field(metadata=member("VocabularyFilterName"))
    language_code: str
    last_modified_time: float  # seconds since the epoch


@dataclass(frozen=True)
class VocabularyFilter:
    """The filter as Get describes it; Create and Update answer without the download URI."""
    name: str = field(metadata=member("VocabularyFilterName"))
    language_code: str
    last_modified_time: float
    download_uri: str | None = None  # a pre-signed URL of the words


@dataclass(frozen=True)
class VocabularyFilterPage:
    vocabulary_filters: tuple[VocabularyFilterInfo, ...]
    next_token: str | None = None
