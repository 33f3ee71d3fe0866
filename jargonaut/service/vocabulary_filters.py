"""Custom vocabulary filters: Create/Get/List/Update/Delete, and the words a job or stream filters.

A filter is ready as soon as it is created (Amazon has no state for filters). Words are whole,
case-insensitive, one word each, in the language's character set; 50 KB and 100 per account.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Engine, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jargonaut.errors import BadRequestError, ConflictError, LimitExceededError, NotFoundError
from jargonaut.service.buckets import Buckets
from jargonaut.service.pagination import next_seq
from jargonaut.service.tags import tags_dict
from jargonaut.service.word_lists import MAX_FILE_BYTES, MAX_PER_ACCOUNT, check_entry, list_page, read_word_file
from jargonaut.store.tables import vocabulary_filters as filters

METHODS = ("mask", "remove", "tag")


class VocabularyFilters:
    def __init__(self, engine: Engine, buckets: Buckets, data_dir: Path, languages: Callable[[], set[str]]) -> None:
        self.engine = engine
        self.buckets = buckets
        self.data_dir = data_dir
        self.languages = languages  # the language codes the installed base models speak
        self._seq_lock = threading.Lock()

    def create(self, account_id: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name, language = request["VocabularyFilterName"], request["LanguageCode"]
        if language not in self.languages():
            raise BadRequestError(
                f"The language code {language} is not supported by the installed base models; supported: "
                f"{', '.join(sorted(self.languages()))}.")
        words = self._words(account_id, request, language)
        tags = tags_dict(request.get("Tags"))
        now = time.time()
        with self._seq_lock, self.engine.begin() as conn:
            count = conn.execute(select(func.count()).select_from(filters).where(and_(
                filters.c.account_id == account_id, filters.c.region == region))).scalar()
            if count >= MAX_PER_ACCOUNT:
                raise LimitExceededError(f"You already have {count} vocabulary filters, the limit. Delete one first.")
            try:
                conn.execute(insert(filters).values(
                    account_id=account_id, region=region, name=name, seq=next_seq(conn, filters), language_code=language,
                    words=json.dumps(words), modified_at=now, tags=json.dumps(tags)))
            except IntegrityError as exc:
                raise ConflictError(
                    f"The requested vocabulary filter name {name} already exists. Use a different name.") from exc
        return {"VocabularyFilterName": name, "LanguageCode": language, "LastModifiedTime": now}

    def get(self, account_id: str, region: str, name: str, download_url: Callable[[str], str] | None = None) -> dict[str, Any]:
        row = self._row(account_id, region, name)
        result = {"VocabularyFilterName": row.name, "LanguageCode": row.language_code, "LastModifiedTime": row.modified_at}
        if download_url is not None:
            result["DownloadUri"] = download_url(row.name)
        return result

    def download(self, account_id: str, region: str, name: str) -> str:
        """The filter as a text file, one word a line (what GetVocabularyFilter's DownloadUri serves)."""
        return "".join(f"{word}\n" for word in json.loads(self._row(account_id, region, name).words))

    def list(self, account_id: str, region: str, name_contains: str | None = None, max_results: int | None = None,
             next_token: str | None = None) -> dict[str, Any]:
        page, token = list_page(self.engine, filters, account_id, region, name_contains, max_results, next_token)
        result: dict[str, Any] = {"VocabularyFilters": [
            {"VocabularyFilterName": r.name, "LanguageCode": r.language_code, "LastModifiedTime": r.modified_at}
            for r in page]}
        if token:
            result["NextToken"] = token
        return result

    def update(self, account_id: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        row = self._row(account_id, region, request["VocabularyFilterName"])
        words = self._words(account_id, request, row.language_code)
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(update(filters).where(self._key(account_id, region, row.name)).values(
                words=json.dumps(words), modified_at=now))
        return {"VocabularyFilterName": row.name, "LanguageCode": row.language_code, "LastModifiedTime": now}

    def delete(self, account_id: str, region: str, name: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(filters).where(self._key(account_id, region, name))).rowcount:
                raise NotFoundError(_not_found(name))

    def words_for_job(self, account_id: str, region: str, name: str, language_code: str) -> list[str]:
        """The words a job (or stream) filters; the job keeps this copy, so later updates don't change it."""
        try:
            row = self._row(account_id, region, name)
        except NotFoundError as exc:
            raise BadRequestError(_not_found(name)) from exc
        if row.language_code != language_code:
            raise BadRequestError(
                f"The vocabulary filter {name} is for {row.language_code}, but the transcription is in {language_code}. "
                "Use a filter of the same language.")
        return json.loads(row.words)

    # ---- helpers ---------------------------------------------------------------------
    def _words(self, account_id: str, request: dict[str, Any], language: str) -> list[str]:
        words, uri = request.get("Words"), request.get("VocabularyFilterFileUri")
        if bool(words) == bool(uri):
            raise BadRequestError("Specify either Words or VocabularyFilterFileUri, but not both.")
        if request.get("DataAccessRoleArn"):
            raise BadRequestError(
                "DataAccessRoleArn is not supported for vocabulary filters by this server: the file is read with "
                "your own permissions. Omit DataAccessRoleArn.")
        if request.get("EncryptionConfiguration"):
            raise BadRequestError("EncryptionConfiguration (KMS) is not supported by this server.")
        if uri:
            text = read_word_file(self.buckets, self.data_dir, account_id, uri, "VocabularyFilterFileUri")
            entries = [line for line in text.splitlines() if line.strip()]
            what = f"The vocabulary filter file {uri}"
        else:
            entries = list(words)
            what = "Words"
            if len("\n".join(entries).encode()) > MAX_FILE_BYTES:
                raise BadRequestError(f"Words add up to more than {MAX_FILE_BYTES} bytes (50 KB), the limit.")
        checked = [check_entry(entry, language, what) for entry in entries]
        if not checked:
            raise BadRequestError(f"{what} contains no words.")
        return list(dict.fromkeys(checked))

    @staticmethod
    def _key(account_id: str, region: str, name: str) -> Any:
        return and_(filters.c.account_id == account_id, filters.c.region == region, filters.c.name == name)

    def _row(self, account_id: str, region: str, name: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(filters).where(self._key(account_id, region, name))).first()
        if row is None:
            raise NotFoundError(_not_found(name))
        return row


def _not_found(name: str) -> str:
    return f"The requested vocabulary filter {name} couldn't be found. Check the name and try your request again."
