"""Accounts and their access keys; the first start creates one and writes credentials.json."""
from __future__ import annotations

import datetime as dt
import json
import secrets
import string
import threading
from pathlib import Path

from sqlalchemy import Engine, insert, select

from jargonaut.fileio import atomic_write
from jargonaut.principal import Principal
from jargonaut.store.tables import accounts

_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def _new_principal(account_id: str | None = None) -> Principal:
    return Principal(
        account_id=account_id or "".join(secrets.choice(string.digits) for _ in range(12)),
        access_key_id="AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)),
        secret_access_key="".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
    )


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[str, Principal] = {}
        self._lock = threading.Lock()

    def add(self, principal: Principal) -> Principal:
        with self.engine.begin() as conn:
            conn.execute(
                insert(accounts).values(
                    account_id=principal.account_id,
                    access_key_id=principal.access_key_id,
                    secret_access_key=principal.secret_access_key,
                    created_at=dt.datetime.now(dt.timezone.utc),
                )
            )
        return principal

    def create(self, account_id: str | None = None) -> Principal:
        return self.add(_new_principal(account_id))

    def lookup(self, access_key_id: str) -> Principal | None:
        with self._lock:
            if access_key_id in self._cache:
                return self._cache[access_key_id]
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.access_key_id == access_key_id)).first()
        if row is None:
            return None
        principal = Principal(row.account_id, row.access_key_id, row.secret_access_key)
        with self._lock:
            self._cache[access_key_id] = principal
        return principal

    def all(self) -> list[Principal]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.created_at)).all()
        return [Principal(r.account_id, r.access_key_id, r.secret_access_key) for r in rows]

    def ensure_default(self, credentials_file: Path) -> tuple[Principal, bool]:
        """The account in credentials.json, created (0600) on the database's first start (a node
        joining a database with accounts writes the first one); True if new."""
        if credentials_file.exists():
            data = json.loads(credentials_file.read_text())
            principal = Principal(data["account_id"], data["access_key_id"], data["secret_access_key"])
            if self.lookup(principal.access_key_id) is None:
                self.add(principal)
            return principal, False
        existing = self.all()
        if existing:  # a node joining a database that has accounts (its own data dir): the first one
            write_credentials(credentials_file, existing[0])
            return existing[0], False
        principal = self.create()
        write_credentials(credentials_file, principal)
        return principal, True


def write_credentials(path: Path, principal: Principal) -> None:
    body = {
        "account_id": principal.account_id,
        "access_key_id": principal.access_key_id,
        "secret_access_key": principal.secret_access_key,
    }
    atomic_write(path, (json.dumps(body, indent=2) + "\n").encode(), mode=0o600)
