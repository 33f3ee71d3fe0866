"""Resource tags (TagResource, UntagResource, ListTagsForResource) on jobs, language models,
custom vocabularies and vocabulary filters.

Tags live in a JSON column of the resource's own row, so they go when the resource goes.
"""
from __future__ import annotations

import builtins
import json
from typing import Any

from sqlalchemy import Engine, Table, and_, select, update

from jargonaut.errors import BadRequestError, NotFoundError
from jargonaut.service.arns import (
    LANGUAGE_MODEL,
    TRANSCRIPTION_JOB,
    VOCABULARY,
    VOCABULARY_FILTER,
    ResourceArn,
    parse_arn,
)
from jargonaut.store.tables import language_models, transcription_jobs, vocabularies, vocabulary_filters

MAX_TAGS = 200  # Amazon's limit per resource
_TABLES: dict[str, Table] = {TRANSCRIPTION_JOB: transcription_jobs, LANGUAGE_MODEL: language_models,
                             VOCABULARY: vocabularies, VOCABULARY_FILTER: vocabulary_filters}


def tags_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """Request `Tags` ([{Key, Value}]) -> {key: value}; reserved keys and over-long lists refused."""
    result: dict[str, str] = {}
    for tag in tags or []:
        if tag["Key"].lower().startswith("aws:"):
            raise BadRequestError(f"The tag key {tag['Key']!r} is reserved: keys starting with 'aws:' are for AWS use.")
        result[tag["Key"]] = tag.get("Value", "")
    if len(result) > MAX_TAGS:
        raise BadRequestError(f"A resource can have at most {MAX_TAGS} tags; the request has {len(result)}.")
    return result


def tags_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


class Tags:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list(self, account_id: str, region: str, arn: str) -> dict[str, Any]:
        resource = self._resource(account_id, region, arn)
        with self.engine.connect() as conn:
            current = self._current(conn, resource)
        return {"ResourceArn": arn, "Tags": tags_list(current)}

    def tag(self, account_id: str, region: str, arn: str, tags: builtins.list[dict[str, str]]) -> None:
        resource = self._resource(account_id, region, arn)
        added = tags_dict(tags)
        with self.engine.begin() as conn:
            merged = {**self._current(conn, resource), **added}
            if len(merged) > MAX_TAGS:
                raise BadRequestError(f"A resource can have at most {MAX_TAGS} tags; this would make {len(merged)}.")
            self._store(conn, resource, merged)

    def untag(self, account_id: str, region: str, arn: str, keys: builtins.list[str]) -> None:
        resource = self._resource(account_id, region, arn)
        with self.engine.begin() as conn:
            current = self._current(conn, resource)
            self._store(conn, resource, {k: v for k, v in current.items() if k not in set(keys)})

    # ---- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _resource(account_id: str, region: str, arn: str) -> ResourceArn:
        resource = parse_arn(arn)
        if resource.account_id != account_id or resource.region != region:
            # Another account's or region's resource is invisible here, as in Amazon.
            raise NotFoundError(f"The resource {arn} couldn't be found in account {account_id}, region {region}.")
        return resource

    @staticmethod
    def _where(resource: ResourceArn) -> Any:
        table = _TABLES[resource.kind]
        return and_(table.c.account_id == resource.account_id, table.c.region == resource.region,
                    table.c.name == resource.name)

    def _current(self, conn: Any, resource: ResourceArn) -> dict[str, str]:
        table = _TABLES[resource.kind]
        row = conn.execute(select(table.c.tags).where(self._where(resource))).first()
        if row is None:
            raise NotFoundError(f"The resource {resource} couldn't be found. Check the ARN and try again.")
        return json.loads(row.tags or "{}")

    def _store(self, conn: Any, resource: ResourceArn, tags: dict[str, str]) -> None:
        table = _TABLES[resource.kind]
        conn.execute(update(table).where(self._where(resource)).values(tags=json.dumps(tags)))
