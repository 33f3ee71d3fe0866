"""Engine creation: SQLite file by default (WAL, safe across threads and processes), any SQLAlchemy
URL otherwise; the schema is brought to head by the Alembic revisions before first use."""
from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from jargonaut.store.migrate import migrate


def open_engine(url: str, region_of_old_rows: str = "us-east-1") -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # a committed state survives SIGKILL
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    migrate(engine, region_of_old_rows)
    return engine
