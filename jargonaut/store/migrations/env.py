"""Alembic environment: run on the connection `jargonaut.store.migrate` hands over (no alembic.ini,
no environment variables: Settings already chose the database)."""
from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
