"""Opaque NextToken values for newest-first listings keyed by a sequence number."""
from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, update

from jargonaut.errors import BadRequestError
from jargonaut.store.tables import counters


def encode_token(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"seq": seq}).encode()).decode()


MAX_SEQ = 2**63 - 1  # sequence numbers are SQL BIGINTs


def decode_token(token: str) -> int:
    """The sequence number in a token we issued; anything else is a BadRequest, never a crash."""
    invalid = BadRequestError("The NextToken is not valid. Use the token from the previous response.")
    try:
        seq = json.loads(base64.urlsafe_b64decode(token.encode()))["seq"]
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        raise invalid from None
    # Only an integer we could have issued: not a float (1e400 is infinite), a bool or a 23-digit number.
    if type(seq) is not int or not 0 < seq <= MAX_SEQ:
        raise invalid
    return seq


def list_page(
    engine: Engine, table: Table, account_id: str, region: str, status: str | None, name_contains: str | None,
    max_results: int | None, next_token: str | None, status_column: str = "status",
) -> tuple[list[Any], str | None]:
    """One newest-first page of an account's rows in one region (status filter, case-insensitive name filter)."""
    limit = max_results or 5  # Amazon's default page size
    query = select(table).where(table.c.account_id == account_id, table.c.region == region)
    if status:
        query = query.where(table.c[status_column] == status)
    if name_contains:
        query = query.where(func.lower(table.c.name).contains(name_contains.lower(), autoescape=True))
    if next_token:
        query = query.where(table.c.seq < decode_token(next_token))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(table.c.seq.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return page, encode_token(page[-1].seq) if len(rows) > limit else None


def next_seq(conn: Connection, table: Table) -> int:
    """The listing sequence number for a new row, from the `counters` row "<table>.seq".

    One atomic UPDATE ... RETURNING: unique and increasing across threads and nodes on SQLite and
    PostgreSQL alike. Its row lock lasts until the caller's transaction ends, so a caller that
    takes the number first and then counts rows (pending-job limit) counts under that lock too.
    """
    name = f"{table.name}.seq"
    value = conn.execute(update(counters).where(counters.c.name == name).values(value=counters.c.value + 1)
                         .returning(counters.c.value)).scalar()
    if value is None:  # a table whose revision seeded no counter: start it from the rows there
        value = (conn.execute(select(func.max(table.c.seq))).scalar() or 0) + 1
        conn.execute(insert(counters).values(name=name, value=value))
    return int(value)
