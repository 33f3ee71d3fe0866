"""A limit on failed console sign-ins, per access key id and per client address, over a sliding
window. Failures are rows in the database, so the limit holds across nodes and restarts. A key
id that doesn't exist is counted like one that does: the answer never tells them apart."""
from __future__ import annotations

import hashlib
import time

from sqlalchemy import Engine, and_, delete, func, insert, select

from jargonaut.store.tables import signin_failures as failures


def _subject(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()  # fixed length, no raw input stored


class SignInThrottle:
    def __init__(self, engine: Engine, per_key: int, per_address: int, window_seconds: int) -> None:
        self.engine = engine
        self.limits = {"key": per_key, "address": per_address}
        self.window = window_seconds

    def wait_seconds(self, key_id: str, address: str) -> float:
        """0 when a sign-in may be tried now; else the seconds until the oldest counted failure ages out."""
        now = time.time()
        since = now - self.window
        wait = 0.0
        with self.engine.connect() as conn:
            for kind, value in (("key", key_id), ("address", address)):
                count, oldest = conn.execute(
                    select(func.count(), func.min(failures.c.failed_at)).where(and_(
                        failures.c.subject == _subject(kind, value), failures.c.failed_at > since))).one()
                if count >= self.limits[kind]:
                    wait = max(wait, oldest + self.window - now)
        return wait

    def failed(self, key_id: str, address: str) -> None:
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(delete(failures).where(failures.c.failed_at <= now - self.window))  # forget old ones
            conn.execute(insert(failures), [
                {"subject": _subject("key", key_id), "failed_at": now},
                {"subject": _subject("address", address), "failed_at": now},
            ])

    def succeeded(self, key_id: str) -> None:
        """The key's owner got in: its earlier failures no longer count (the address's still do)."""
        with self.engine.begin() as conn:
            conn.execute(delete(failures).where(failures.c.subject == _subject("key", key_id)))
