"""Web console sessions and failed sign-ins in the database (issue 14): sessions survive a
restart and work across nodes; the sign-in limit holds across nodes. Like 0004, each table is
created only where it is missing (a database made with create_all from the current tables has it).

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "console_sessions" not in existing:
        _create_sessions()
    if "signin_failures" not in existing:
        _create_failures()


def _create_sessions() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("access_key_id", sa.String(128), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_console_sessions_expires_at", "console_sessions", ["expires_at"])


def _create_failures() -> None:
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("failed_at", sa.Float, nullable=False),
    )
    op.create_index("ix_signin_failures_subject_failed_at", "signin_failures", ["subject", "failed_at"])


def downgrade() -> None:
    op.drop_table("signin_failures")
    op.drop_table("console_sessions")
