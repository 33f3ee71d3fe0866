"""Custom vocabularies: Create/Get/List/Update/Delete, PENDING -> READY | FAILED on a worker,
and the entries a job (or stream) uses.

The request is checked at once where Amazon does (names, one source, language); the phrases
and the table file are checked on the worker, so a bad entry becomes a FailureReason naming
its line, as Amazon reports it. The processing is leased like a job (leases.py): the node that
accepts a create or update holds it, a dead node's PENDING vocabulary is taken over by another,
and the outcome lands only with the holder's fencing token.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Engine, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jargonaut.errors import BadRequestError, ConflictError, JargonautError, LimitExceededError, NotFoundError
from jargonaut.service import leases
from jargonaut.service.buckets import Buckets
from jargonaut.service.leases import Node
from jargonaut.service.pagination import next_seq
from jargonaut.service.tags import tags_dict
from jargonaut.service.vocabulary_entries import as_table, entries_from_file, entries_from_phrases
from jargonaut.service.word_lists import MAX_FILE_BYTES, MAX_PER_ACCOUNT, list_page, read_word_file
from jargonaut.storage.objects import parse_uri
from jargonaut.store.tables import vocabularies as vocabs

log = logging.getLogger(__name__)

PENDING, READY, FAILED = "PENDING", "READY", "FAILED"


class Vocabularies:
    def __init__(self, engine: Engine, buckets: Buckets, data_dir: Path, languages: Callable[[], set[str]],
                 submit: Callable[..., Any], node: Node | None = None) -> None:
        self.engine = engine
        self.node = node or Node("local", 30.0)
        self.buckets = buckets
        self.data_dir = data_dir
        self.languages = languages
        self.submit = submit
        self._seq_lock = threading.Lock()

    # ---- API operations -------------------------------------------------------------
    def create(self, account_id: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name, language = request["VocabularyName"], request["LanguageCode"]
        source = self._source(request, language)
        tags = tags_dict(request.get("Tags"))
        now = time.time()
        with self._seq_lock, self.engine.begin() as conn:
            count = conn.execute(select(func.count()).select_from(vocabs).where(and_(
                vocabs.c.account_id == account_id, vocabs.c.region == region))).scalar()
            if count >= MAX_PER_ACCOUNT:
                raise LimitExceededError(f"You already have {count} custom vocabularies, the limit. Delete one first.")
            try:
                conn.execute(insert(vocabs).values(
                    account_id=account_id, region=region, name=name, seq=next_seq(conn, vocabs), language_code=language,
                    state=PENDING, source=json.dumps(source), modified_at=now, tags=json.dumps(tags),
                    lease_owner=self.node.id, lease_expires=self.node.expiry(), fence=0))
            except IntegrityError as exc:
                raise ConflictError(
                    f"The requested vocabulary name {name} already exists. Use a different vocabulary name.") from exc
        self.submit(self.process, account_id, region, name, 0)
        return {"VocabularyName": name, "LanguageCode": language, "VocabularyState": PENDING, "LastModifiedTime": now}

    def get(self, account_id: str, region: str, name: str, download_url: Callable[[str], str] | None = None) -> dict[str, Any]:
        row = self._row(account_id, region, name)
        result = _info(row)
        if row.failure_reason:
            result["FailureReason"] = row.failure_reason
        if row.state == READY and download_url is not None:
            result["DownloadUri"] = download_url(row.name)
        return result

    def download(self, account_id: str, region: str, name: str) -> str:
        row = self._row(account_id, region, name)
        if row.state != READY:
            raise NotFoundError(f"The vocabulary {name} is {row.state}; only a READY vocabulary can be downloaded.")
        return as_table(json.loads(row.entries))

    def list(self, account_id: str, region: str, state: str | None = None, name_contains: str | None = None,
             max_results: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        page, token = list_page(self.engine, vocabs, account_id, region, name_contains, max_results, next_token, state)
        result: dict[str, Any] = {"Vocabularies": [_info(r) for r in page]}
        if state:
            result["Status"] = state
        if token:
            result["NextToken"] = token
        return result

    def update(self, account_id: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name, language = request["VocabularyName"], request["LanguageCode"]
        self._row(account_id, region, name)
        source = self._source(request, language)
        now = time.time()
        with self.engine.begin() as conn:
            fence = conn.execute(update(vocabs).where(self._key(account_id, region, name)).values(
                language_code=language, state=PENDING, failure_reason=None, source=json.dumps(source),
                entries=None, modified_at=now, lease_owner=self.node.id, lease_expires=self.node.expiry(),
                fence=vocabs.c.fence + 1).returning(vocabs.c.fence)).scalar()
        if fence is None:
            raise NotFoundError(_not_found(name))  # deleted meanwhile
        self.submit(self.process, account_id, region, name, fence)
        return {"VocabularyName": name, "LanguageCode": language, "VocabularyState": PENDING, "LastModifiedTime": now}

    def delete(self, account_id: str, region: str, name: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(vocabs).where(self._key(account_id, region, name))).rowcount:
                raise NotFoundError(_not_found(name))

    def entries_for_job(self, account_id: str, region: str, name: str, language_code: str) -> list[dict[str, str]]:
        """A READY vocabulary's entries; the job keeps this copy (updates and deletes don't reach it)."""
        try:
            row = self._row(account_id, region, name)
        except NotFoundError as exc:
            raise BadRequestError(_not_found(name)) from exc
        if row.state != READY:
            raise BadRequestError(f"The vocabulary {name} is {row.state}, not READY. "
                                  + ("Wait until it is READY." if row.state == PENDING else "Fix it with UpdateVocabulary."))
        if row.language_code != language_code:
            raise BadRequestError(f"The vocabulary {name} is for {row.language_code}, but the transcription is in "
                                  f"{language_code}. Use a vocabulary of the same language.")
        return json.loads(row.entries)

    # ---- processing ------------------------------------------------------------------
    def recover(self) -> int:
        """At start: this node's PENDING vocabularies and those whose node's lease lapsed."""
        return self._take_over(including_own=True)

    def take_over_lapsed(self) -> int:
        return self._take_over(including_own=False)

    def renew_leases(self) -> int:
        with self.engine.begin() as conn:
            return leases.renew(conn, vocabs, self.node, (PENDING,))

    def give_up_leases(self) -> int:
        with self.engine.begin() as conn:
            return leases.give_up(conn, vocabs, self.node, (PENDING,))

    def _take_over(self, including_own: bool) -> int:
        with self.engine.begin() as conn:
            taken = leases.take_over(conn, vocabs, self.node, (PENDING,), PENDING, including_own)
        for row in taken:
            if not including_own:
                log.info("vocabulary %s (account %s, %s) taken over: its node's lease lapsed", row.name,
                         row.account_id, row.region)
            self.submit(self.process, row.account_id, row.region, row.name, row.fence)
        return len(taken)

    def process(self, account_id: str, region: str, name: str, fence: int) -> None:
        """Worker: claim the vocabulary if this node still holds it with `fence` (the claim raises
        the token), read and check the entries; the outcome lands only if it still holds it then
        (an update or a takeover meanwhile raised the token)."""
        with self.engine.begin() as conn:
            claimed = conn.execute(update(vocabs).where(and_(
                self._key(account_id, region, name), vocabs.c.state == PENDING, leases.held_by(vocabs, self.node, fence),
            )).values(fence=vocabs.c.fence + 1, lease_expires=self.node.expiry())).rowcount
            row = conn.execute(select(vocabs).where(self._key(account_id, region, name))).first()
        if not claimed or row is None:
            return
        try:
            entries, reason = self._entries(row), None
        except JargonautError as exc:
            entries, reason = None, exc.message
        except Exception as exc:  # noqa: BLE001 - a vocabulary must end READY or FAILED, never stay PENDING
            log.exception("vocabulary %s failed", name)
            entries, reason = None, f"Internal failure while processing the vocabulary ({type(exc).__name__})."
        with self.engine.begin() as conn:
            conn.execute(update(vocabs).where(and_(
                self._key(account_id, region, name), vocabs.c.state == PENDING, leases.held_by(vocabs, self.node, row.fence),
            )).values(state=FAILED if reason else READY, failure_reason=reason,
                      entries=json.dumps(entries) if entries is not None else None, modified_at=time.time()))

    def _entries(self, row: Any) -> list[dict[str, str]]:
        source = json.loads(row.source)
        if "Phrases" in source:
            return entries_from_phrases(source["Phrases"], row.language_code)
        text = read_word_file(self.buckets, self.data_dir, row.account_id, source["VocabularyFileUri"], "VocabularyFileUri")
        return entries_from_file(text, row.language_code)

    # ---- helpers ---------------------------------------------------------------------
    def _source(self, request: dict[str, Any], language: str) -> dict[str, Any]:
        if language not in self.languages():
            raise BadRequestError(
                f"The language code {language} is not supported by the installed base models; supported: "
                f"{', '.join(sorted(self.languages()))}.")
        phrases, uri = request.get("Phrases"), request.get("VocabularyFileUri")
        if bool(phrases) == bool(uri):
            raise BadRequestError("Specify either Phrases or VocabularyFileUri, but not both.")
        if request.get("DataAccessRoleArn"):
            raise BadRequestError(
                "DataAccessRoleArn is not supported for vocabularies by this server: the file is read with your own "
                "permissions. Omit DataAccessRoleArn.")
        if request.get("EncryptionConfiguration"):
            raise BadRequestError("EncryptionConfiguration (KMS) is not supported by this server.")
        if uri:
            parse_uri(uri)
            return {"VocabularyFileUri": uri}
        if len("\n".join(phrases).encode()) > MAX_FILE_BYTES:
            raise BadRequestError(f"Phrases add up to more than {MAX_FILE_BYTES} bytes (50 KB), the limit.")
        return {"Phrases": list(phrases)}

    @staticmethod
    def _key(account_id: str, region: str, name: str) -> Any:
        return and_(vocabs.c.account_id == account_id, vocabs.c.region == region, vocabs.c.name == name)

    def _row(self, account_id: str, region: str, name: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(vocabs).where(self._key(account_id, region, name))).first()
        if row is None:
            raise NotFoundError(_not_found(name))
        return row


def _info(row: Any) -> dict[str, Any]:
    return {"VocabularyName": row.name, "LanguageCode": row.language_code, "VocabularyState": row.state,
            "LastModifiedTime": row.modified_at}


def _not_found(name: str) -> str:
    return f"The requested vocabulary {name} couldn't be found. Check the vocabulary name and try your request again."
