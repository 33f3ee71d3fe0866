"""Custom vocabularies and vocabulary filters (issue 18), with their listing counters.

Databases made by the release before Alembic may have these tables already (that release made
tables with create_all): each is created only where it is missing.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "vocabulary_filters" not in existing:
        op.create_table(
            "vocabulary_filters",
            sa.Column("account_id", sa.String(12), primary_key=True),
            sa.Column("region", sa.String(32), primary_key=True),
            sa.Column("name", sa.String(200), primary_key=True),
            sa.Column("seq", sa.Integer, nullable=False),
            sa.Column("language_code", sa.String(16), nullable=False),
            sa.Column("words", sa.Text, nullable=False),
            sa.Column("data_access_role_arn", sa.String(2048)),
            sa.Column("modified_at", sa.Float, nullable=False),
        )
        op.create_index("ix_vocabulary_filters_seq", "vocabulary_filters", ["seq"])
    if "vocabularies" not in existing:
        op.create_table(
            "vocabularies",
            sa.Column("account_id", sa.String(12), primary_key=True),
            sa.Column("region", sa.String(32), primary_key=True),
            sa.Column("name", sa.String(200), primary_key=True),
            sa.Column("seq", sa.Integer, nullable=False),
            sa.Column("language_code", sa.String(16), nullable=False),
            sa.Column("state", sa.String(16), nullable=False),
            sa.Column("failure_reason", sa.Text),
            sa.Column("source", sa.Text),
            sa.Column("entries", sa.Text),
            sa.Column("data_access_role_arn", sa.String(2048)),
            sa.Column("modified_at", sa.Float, nullable=False),
        )
        op.create_index("ix_vocabularies_seq", "vocabularies", ["seq"])
        op.create_index("ix_vocabularies_state", "vocabularies", ["state"])
    bind = op.get_bind()
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    for table in ("vocabulary_filters", "vocabularies"):
        highest = bind.execute(sa.text(f"SELECT MAX(seq) FROM {table}")).scalar() or 0
        op.bulk_insert(counters, [{"name": f"{table}.seq", "value": highest}])
