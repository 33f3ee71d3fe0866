"""Baseline: the schema before regions (jobs and models keyed by account and name).

Databases made before Alembic have no version table and may hold any subset of these tables, so
each one is created only where it is missing; later revisions bring the old shapes forward.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> list[tuple[str, list[sa.Column], list[str]]]:
    """(name, columns, indexed columns), frozen as they were: never import jargonaut.store.tables here."""
    return [
        ("accounts", [
            sa.Column("account_id", sa.String(12), primary_key=True),
            sa.Column("access_key_id", sa.String(128), unique=True, nullable=False),
            sa.Column("secret_access_key", sa.String(128), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        ], []),
        ("transcription_jobs", [
            sa.Column("account_id", sa.String(12), primary_key=True),
            sa.Column("name", sa.String(200), primary_key=True),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("seq", sa.Integer, nullable=False),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("started_at", sa.Float),
            sa.Column("completed_at", sa.Float),
            sa.Column("failure_reason", sa.Text),
            sa.Column("language_model_name", sa.String(200)),
            sa.Column("request", sa.Text, nullable=False),
            sa.Column("output_location", sa.Text),
            sa.Column("output_location_type", sa.String(16)),
            sa.Column("attempts", sa.Integer, nullable=False),
        ], ["status", "seq"]),
        ("language_models", [
            sa.Column("account_id", sa.String(12), primary_key=True),
            sa.Column("name", sa.String(200), primary_key=True),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("seq", sa.Integer, nullable=False),
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
        ], ["status", "seq"]),
        ("roles", [
            sa.Column("account_id", sa.String(12), primary_key=True),
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("arn", sa.String(2048), nullable=False, unique=True),
            sa.Column("trust_policy", sa.Text, nullable=False),
            sa.Column("policies", sa.Text, nullable=False),
            sa.Column("s3_access_key_id", sa.String(128)),
            sa.Column("s3_secret_access_key", sa.String(128)),
            sa.Column("created_at", sa.Float, nullable=False),
        ], []),
        ("buckets", [
            sa.Column("name", sa.String(63), primary_key=True),
            sa.Column("account_id", sa.String(12), nullable=False),
            sa.Column("policy", sa.Text),
            sa.Column("created_at", sa.Float, nullable=False),
        ], ["account_id"]),
    ]


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns, indexed in _tables():
        if name in existing:
            continue
        op.create_table(name, *columns)
        for column in indexed:
            op.create_index(f"ix_{name}_{column}", name, [column])
