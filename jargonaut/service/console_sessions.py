"""Web console sessions in the database: they survive a restart, hold on every node that shares
the database, expire, and signing out deletes them. The cookie is a random token; the database
keeps only its SHA-256, so a copy of the table signs nobody in."""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from jargonaut.principal import Principal
from jargonaut.service.accounts import Accounts
from jargonaut.store.tables import console_sessions as sessions


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf_token: str
    expires_at: float


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleSessions:
    def __init__(self, engine: Engine, accounts: Accounts, lifetime_seconds: int) -> None:
        self.engine = engine
        self.accounts = accounts
        self.lifetime = lifetime_seconds

    def open(self, principal: Principal) -> tuple[str, Session]:
        """A new session for `principal`: (the cookie's token, the session)."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        session = Session(principal, secrets.token_urlsafe(32), now + self.lifetime)
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at <= now))  # sweep the expired ones
            conn.execute(insert(sessions).values(
                token_hash=_hash(token), account_id=principal.account_id, access_key_id=principal.access_key_id,
                csrf_token=session.csrf_token, expires_at=session.expires_at))
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session the cookie names; None when unknown, expired, signed out, or its key is gone."""
        if not token or len(token) > 256:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.token_hash == _hash(token))).first()
        if row is None or row.expires_at <= time.time():
            return None
        principal = self.accounts.lookup(row.access_key_id)
        if principal is None or principal.account_id != row.account_id:
            return None
        return Session(principal, row.csrf_token, row.expires_at)

    def close(self, token: str | None) -> None:
        """Sign out: the session ends on every node, whatever the browser keeps."""
        if token:
            with self.engine.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.token_hash == _hash(token)))
