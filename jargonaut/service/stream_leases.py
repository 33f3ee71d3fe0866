"""Live real-time streams as rows, so the per-account stream limit holds across every node on one
database: a stream is admitted by a row, renewed by its node's heartbeat and deleted when it ends;
a dead node's rows lapse after the lease."""
from __future__ import annotations

import time
import uuid

from sqlalchemy import Engine, and_, delete, func, insert, select, update

from jargonaut.errors import LimitExceededError
from jargonaut.service.leases import Node
from jargonaut.store.tables import counters, stream_leases

_LOCK = "stream_leases"  # the counters row every admission updates first: admissions queue on it


class StreamLeases:
    def __init__(self, engine: Engine, node: Node, limit: int) -> None:
        self.engine = engine
        self.node = node
        self.limit = limit

    def admit(self, account_id: str) -> str:
        """A lease id for a new stream of the account, or LimitExceeded if it has `limit` live ones."""
        lease_id = uuid.uuid4().hex
        now = time.time()
        with self.engine.begin() as conn:
            # Taking the row lock first makes count-then-insert atomic across nodes (both backends).
            conn.execute(update(counters).where(counters.c.name == _LOCK).values(value=counters.c.value + 1))
            conn.execute(delete(stream_leases).where(stream_leases.c.expires < now))
            live = conn.execute(select(func.count()).select_from(stream_leases)
                                .where(stream_leases.c.account_id == account_id)).scalar() or 0
            if live >= self.limit:
                raise LimitExceededError(
                    f"You have reached the limit of {self.limit} concurrent streams for this account; "
                    "end a stream or try again later."
                )
            conn.execute(insert(stream_leases).values(id=lease_id, account_id=account_id, node=self.node.id,
                                                      expires=self.node.expiry()))
        return lease_id

    def release(self, lease_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(stream_leases).where(stream_leases.c.id == lease_id))

    def active(self, account_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(stream_leases).where(and_(
                stream_leases.c.account_id == account_id, stream_leases.c.expires >= time.time()))).scalar() or 0

    def renew(self) -> int:
        """Heartbeat: this node's streams are alive."""
        with self.engine.begin() as conn:
            return conn.execute(update(stream_leases).where(stream_leases.c.node == self.node.id)
                                .values(expires=self.node.expiry())).rowcount

    def forget_node(self) -> int:
        """At start and stop: this node's streams are gone (a node id is one process at a time)."""
        with self.engine.begin() as conn:
            return conn.execute(delete(stream_leases).where(stream_leases.c.node == self.node.id)).rowcount
