"""Bring any database to the current schema with the Alembic revisions in `migrations/versions`.

Runs at every start (server and CLI tools); a database already at head is left untouched. Nodes
that share a database may start together, so the upgrade runs under a database-wide lock.
"""
from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
SCRIPTS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x4A41_5247  # "JARG": one advisory lock id for schema upgrades


def migrate(engine: Engine, region_of_old_rows: str) -> None:
    """Upgrade to head; rows from before regions move into `region_of_old_rows`."""
    with _upgrade_lock(engine), engine.connect() as conn:
        config = Config()  # no alembic.ini: everything comes from here
        config.set_main_option("script_location", str(SCRIPTS))
        config.attributes["connection"] = conn
        config.attributes["region_of_old_rows"] = region_of_old_rows
        command.upgrade(config, "head")
        conn.commit()


@contextmanager
def _upgrade_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.upgrade-lock", "a") as handle:  # other processes on this file wait here
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        return
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            _advisory(conn, "pg_advisory_lock")
            try:
                yield
            finally:
                _advisory(conn, "pg_advisory_unlock")
        return
    yield


def _advisory(conn: Connection, function: str) -> None:
    conn.execute(text(f"SELECT {function}(:key)"), {"key": _PG_LOCK_KEY})
    conn.commit()
