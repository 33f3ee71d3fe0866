"""Resource tags: TagResource, UntagResource, ListTagsForResource."""
from __future__ import annotations

from dataclasses import dataclass

from jargonaut.domain.common import Tag


@dataclass(frozen=True)
class TagResource:
    resource_arn: str
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class UntagResource:
    resource_arn: str
    tag_keys: tuple[str, ...]


@dataclass(frozen=True)
class ListTagsForResource:
    resource_arn: str


@dataclass(frozen=True)
class ResourceTags:
    resource_arn: str
    tags: tuple[Tag, ...]
