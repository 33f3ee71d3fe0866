"""Leases for vocabulary processing, and the nodes table.

- `vocabularies` gets the lease columns jobs and trainings have (`lease_owner`, `lease_expires`,
  `fence`): a PENDING vocabulary is processed by one node, and a dead node's is taken over.
- `nodes`: every node's heartbeat (`expires`, renewed like a lease) and the tag its scratch
  directories carry, so a node removes the scratch of nodes that are gone, never a live one's.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("vocabularies", sa.Column("lease_owner", sa.String(128)))
    op.add_column("vocabularies", sa.Column("lease_expires", sa.Float))
    op.add_column("vocabularies", sa.Column("fence", sa.BigInteger, nullable=False, server_default="0"))
    op.create_table(
        "nodes",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("tag", sa.String(128), nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
    )
