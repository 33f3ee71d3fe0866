"""Leases for several nodes on one database.

- Jobs and model trainings carry a lease: the node that holds them (`lease_owner`), until when
  (`lease_expires`, epoch seconds, renewed by its heartbeat) and a fencing token (`fence`, raised at
  every change of hands) that every write of the holder must match.
- `counters`: listing sequence numbers handed out by an atomic UPDATE (a database-wide "sequence"
  that SQLite has too), seeded from the rows already there.
- `stream_leases`: live real-time streams, one row each, renewed by their node's heartbeat, so the
  per-account stream limit counts every node's streams.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("transcription_jobs", "language_models"):
        op.add_column(table, sa.Column("lease_owner", sa.String(128)))
        op.add_column(table, sa.Column("lease_expires", sa.Float))
        op.add_column(table, sa.Column("fence", sa.BigInteger, nullable=False, server_default="0"))
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    bind = op.get_bind()
    for table in ("transcription_jobs", "language_models"):
        highest = bind.execute(sa.text(f"SELECT MAX(seq) FROM {table}")).scalar() or 0
        op.bulk_insert(counters, [{"name": f"{table}.seq", "value": highest}])
    op.bulk_insert(counters, [{"name": "stream_leases", "value": 0}])
    op.create_table(
        "stream_leases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False, index=True),
        sa.Column("node", sa.String(128), nullable=False, index=True),
        sa.Column("expires", sa.Float, nullable=False),
    )
