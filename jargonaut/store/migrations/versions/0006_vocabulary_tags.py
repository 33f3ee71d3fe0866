"""Tags on custom vocabularies and vocabulary filters (CreateVocabulary / CreateVocabularyFilter
`Tags`, TagResource on their ARNs): a JSON column on each row, like jobs and models.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TABLES = ("vocabulary_filters", "vocabularies")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in _TABLES:
        if "tags" not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column("tags", sa.Text))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tags")
