"""Bring a database made by an earlier version up to the current schema, in place, at start.

Before regions, jobs and models were keyed by (account, name) and lived in the one region the
server accepted then (`settings.region`); they move into that region. The primary key changes,
which neither SQLite nor PostgreSQL can ALTER, so those tables are rebuilt and their rows copied.
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, Table, inspect, text

from jargonaut.store.tables import language_models, transcription_jobs

log = logging.getLogger(__name__)
_REGION_SCOPED = (transcription_jobs, language_models)


def upgrade_schema(engine: Engine, region_of_old_rows: str) -> None:
    inspector = inspect(engine)
    for table in _REGION_SCOPED:
        if not inspector.has_table(table.name):
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        if "region" not in columns:
            _rebuild_with_region(engine, table, columns, [i["name"] for i in inspector.get_indexes(table.name)],  # type: ignore[misc]
                                 region_of_old_rows)
        elif "tags" not in columns:
            with engine.begin() as conn:
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN tags TEXT'))


def _rebuild_with_region(engine: Engine, table: Table, columns: set[str], indexes: list[str], region: str) -> None:
    old = f"{table.name}_before_regions"
    kept = ", ".join(c.name for c in table.columns if c.name in columns)
    with engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {table.name} RENAME TO {old}"))
        for index in indexes:  # index names are per schema: the new table's would clash
            conn.execute(text(f"DROP INDEX {index}"))
        table.create(conn)
        moved = conn.execute(text(f"INSERT INTO {table.name} ({kept}, region) SELECT {kept}, :region FROM {old}"),
                             {"region": region}).rowcount
        conn.execute(text(f"DROP TABLE {old}"))
    log.info("database upgraded: %d %s row(s) now scoped to region %s", moved, table.name, region)
