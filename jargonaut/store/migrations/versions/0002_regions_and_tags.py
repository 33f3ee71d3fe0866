"""Regions and tags: jobs and models are keyed by (account, region, name) and carry tags.

Rows from before regions lived in the one region the server accepted then (Settings.region, handed
over by jargonaut.store.migrate); they move there. The primary key changes, which neither SQLite nor
PostgreSQL can ALTER, so those tables are rebuilt and their rows copied. A database made before
Alembic may already have regions (and maybe not tags): each step looks before it acts.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import context, op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
log = logging.getLogger(__name__)


def _jobs(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "transcription_jobs", metadata,
        sa.Column("account_id", sa.String(12), primary_key=True),
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False, index=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float),
        sa.Column("completed_at", sa.Float),
        sa.Column("failure_reason", sa.Text),
        sa.Column("language_model_name", sa.String(200)),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("output_location", sa.Text),
        sa.Column("output_location_type", sa.String(16)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("tags", sa.Text),
    )


def _models(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "language_models", metadata,
        sa.Column("account_id", sa.String(12), primary_key=True),
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False, index=True),
        sa.Column("language_code", sa.String(16), nullable=False),
        sa.Column("base_model_name", sa.String(16), nullable=False),
        sa.Column("base_model_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("modified_at", sa.Float, nullable=False),
        sa.Column("failure_reason", sa.Text),
        sa.Column("input_data_config", sa.Text, nullable=False),
        sa.Column("artefact", sa.Text),
        sa.Column("report", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("tags", sa.Text),
    )


def upgrade() -> None:
    bind = op.get_bind()
    region = context.config.attributes.get("region_of_old_rows", "us-east-1")
    for table in (_jobs(sa.MetaData()), _models(sa.MetaData())):
        inspector = sa.inspect(bind)
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        if "region" not in columns:
            indexes = [i["name"] for i in inspector.get_indexes(table.name) if i["name"]]
            _rebuild_with_region(bind, table, columns, indexes, region)
        elif "tags" not in columns:
            op.add_column(table.name, sa.Column("tags", sa.Text))


def _rebuild_with_region(bind: sa.Connection, table: sa.Table, columns: set[str], indexes: list[str], region: str) -> None:
    old = f"{table.name}_before_regions"
    kept = ", ".join(c.name for c in table.columns if c.name in columns)
    bind.execute(sa.text(f"ALTER TABLE {table.name} RENAME TO {old}"))
    for index in indexes:  # index names are per schema: the new table's would clash
        bind.execute(sa.text(f"DROP INDEX {index}"))
    if bind.dialect.name == "postgresql":  # so would the primary key's
        key = sa.inspect(bind).get_pk_constraint(old)["name"]
        if key:
            bind.execute(sa.text(f"ALTER TABLE {old} RENAME CONSTRAINT {key} TO {old}_pkey"))
    table.create(bind)
    moved = bind.execute(sa.text(f"INSERT INTO {table.name} ({kept}, region) SELECT {kept}, :region FROM {old}"),
                         {"region": region}).rowcount
    bind.execute(sa.text(f"DROP TABLE {old}"))
    log.info("database upgraded: %d %s row(s) now scoped to region %s", moved, table.name, region)
