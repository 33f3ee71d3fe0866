"""What custom vocabularies and vocabulary filters share: their file in S3 (read with the
caller's own permissions, 50 KB at most, UTF-8), Amazon's character rules, and listing pages."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table

from jargonaut.errors import BadRequestError
from jargonaut.service import pagination
from jargonaut.service.buckets import Buckets, Caller
from jargonaut.service.workdirs import work_dir
from jargonaut.storage.objects import ObjectAccessDenied, ObjectNotFound, parse_uri

MAX_FILE_BYTES = 50 * 1024  # Amazon: each vocabulary (filter) up to 50 KB
MAX_PER_ACCOUNT = 100  # Amazon: up to 100 vocabularies (filters) per account
MAX_ENTRY_CHARS = 256
WORK_PREFIX = "words-"


def read_word_file(buckets: Buckets, data_dir: Path, account_id: str, uri: str, member: str) -> str:
    """The UTF-8 text of `uri`, read as the caller; every problem names the member and the object."""
    ref = parse_uri(uri)
    view = buckets.view(Caller.account(account_id))
    with work_dir(data_dir, WORK_PREFIX) as tmp:
        local = Path(tmp) / "words.txt"
        try:
            size = next((o.size for o in view.list(ref.bucket, ref.key) if o.key == ref.key), None)
            if size is None:
                raise ObjectNotFound(f"no object {ref.key}")
            if size > MAX_FILE_BYTES:
                raise BadRequestError(
                    f"The {member} {uri} is {size} bytes; the limit is {MAX_FILE_BYTES} bytes (50 KB).")
            view.download(ref, local)
        except ObjectNotFound as exc:
            raise BadRequestError(f"The {member} {uri} could not be found ({exc}). Check the bucket and key.") from exc
        except ObjectAccessDenied as exc:
            raise BadRequestError(f"Access to the {member} {uri} was denied ({exc}).") from exc
        data = local.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequestError(
            f"The {member} {uri} isn't UTF-8 text (invalid byte at offset {exc.start}). Save it as UTF-8.") from exc


def allowed_characters(language_code: str) -> re.Pattern[str]:
    """Amazon's character set for the language: for English, a-z, A-Z, apostrophe, hyphen and period."""
    if language_code.startswith("en-"):
        return re.compile(r"[A-Za-z'.\-]+")
    return re.compile(r"[^\W\d_]+(?:['.\-][^\W\d_]*)*")  # letters of any script, with the same marks


def check_entry(entry: str, language_code: str, what: str, allow_spaces: bool = False) -> str:
    entry = unicodedata.normalize("NFC", entry.strip())
    if not entry:
        raise BadRequestError(f"{what} contains an empty entry.")
    if len(entry) > MAX_ENTRY_CHARS:
        raise BadRequestError(f"{what}: the entry {entry[:40]!r}... is longer than {MAX_ENTRY_CHARS} characters.")
    if " " in entry and not allow_spaces:
        raise BadRequestError(f"{what}: the entry {entry!r} contains a space; each entry can only contain one word.")
    pattern = allowed_characters(language_code)
    for part in entry.split(" "):
        if not pattern.fullmatch(part):
            bad = next((c for c in part if not pattern.fullmatch(c) and c not in "'.-"), part[:1])
            raise BadRequestError(
                f"{what}: the entry {entry!r} contains the character {bad!r}, which isn't in the {language_code} "
                "character set.")
    return entry


def list_page(engine: Engine, table: Table, account_id: str, region: str, name_contains: str | None,
              max_results: int | None, next_token: str | None, state: str | None = None) -> tuple[list[Any], str | None]:
    """One newest-first page of an account's rows in a region (vocabularies filter on `state`)."""
    return pagination.list_page(engine, table, account_id, region, state, name_contains, max_results, next_token,
                                status_column="state")
