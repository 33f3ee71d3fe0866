"""Leases: which node holds a job or a training, until when, and its fencing token.

Several nodes share one database. A node claims work with one atomic UPDATE that makes it the
owner, sets the expiry and raises the fencing token (`fence`); its heartbeat renews the expiry of
everything it holds. Work whose lease has expired (its node died or stalled) is taken over by any
node, which raises the token again; every write of the holder is conditional on the token it got,
so a node that lost its lease cannot write a result after the new holder took over.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import Connection, Table, and_, or_, update

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Node:
    """This process among the nodes: its id (stable across its restarts) and the lease length."""

    id: str
    lease_seconds: float

    def expiry(self) -> float:
        return time.time() + self.lease_seconds

    @property
    def heartbeat_seconds(self) -> float:
        return max(self.lease_seconds / 3, 0.2)  # two beats may be lost before the lease lapses


def held_by(table: Table, node: Node, fence: int) -> Any:
    """The condition every write of a holder carries: still ours, with the token we claimed."""
    return and_(table.c.lease_owner == node.id, table.c.fence == fence)


def _status(table: Table) -> Any:
    """The column that holds the work's state (vocabularies call it `state`)."""
    return table.c.status if "status" in table.c else table.c.state


def renew(conn: Connection, table: Table, node: Node, statuses: Sequence[str]) -> int:
    """Heartbeat: extend every lease this node holds on rows still in `statuses`."""
    return conn.execute(update(table).where(and_(table.c.lease_owner == node.id, _status(table).in_(statuses)))
                        .values(lease_expires=node.expiry())).rowcount


def take_over(conn: Connection, table: Table, node: Node, statuses: Sequence[str], new_status: str,
              including_own: bool) -> list[Any]:
    """Make this node the holder of work in `statuses` whose lease lapsed (or that has none: rows
    from before leases); with `including_own`, also of what this node's previous run held (it is
    dead: a node id is one process at a time). Returns (account_id, region, name, fence) rows."""
    lapsed = or_(table.c.lease_owner.is_(None), table.c.lease_expires.is_(None),
                 table.c.lease_expires < time.time())
    if including_own:
        lapsed = or_(lapsed, table.c.lease_owner == node.id)
    statement = (update(table).where(and_(_status(table).in_(statuses), lapsed))
                 .values({_status(table): new_status, table.c.lease_owner: node.id, table.c.lease_expires: node.expiry(),
                         table.c.fence: table.c.fence + 1})
                 .returning(table.c.account_id, table.c.region, table.c.name, table.c.fence, table.c.seq))
    return sorted(conn.execute(statement).all(), key=lambda row: row.seq)


def give_up(conn: Connection, table: Table, node: Node, statuses: Sequence[str]) -> int:
    """At shutdown: let other nodes take this node's work at once instead of after the lease."""
    return conn.execute(update(table).where(and_(table.c.lease_owner == node.id, _status(table).in_(statuses)))
                        .values(lease_expires=0.0)).rowcount


class Heartbeat:
    """One thread per node: every beat renews its leases and takes over work whose lease lapsed."""

    def __init__(self, interval: float, beats: list[Callable[[], object]]) -> None:
        self.interval = interval
        self.beats = beats
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jargonaut-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            for beat in self.beats:
                try:
                    beat()
                except Exception:  # noqa: BLE001 - a database hiccup must not end the heartbeat
                    log.exception("heartbeat step failed")
