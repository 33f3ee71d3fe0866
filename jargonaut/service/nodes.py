"""The nodes sharing one database: each beats like a lease (`nodes.expires`), so any node can tell
which nodes are gone and remove the scratch directories they left in a shared data dir."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from jargonaut.service.leases import Node
from jargonaut.service.workdirs import node_tag, remove_work_dirs_except
from jargonaut.store.tables import nodes

log = logging.getLogger(__name__)


class Nodes:
    def __init__(self, engine: Engine, node: Node, data_dir: Path) -> None:
        self.engine = engine
        self.node = node
        self.data_dir = data_dir

    def beat(self) -> None:
        """This node is alive until its lease length from now."""
        values = {"tag": node_tag(self.node.id), "expires": self.node.expiry()}
        with self.engine.begin() as conn:
            if conn.execute(update(nodes).where(nodes.c.id == self.node.id).values(**values)).rowcount:
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(nodes).values(id=self.node.id, **values))
        except IntegrityError:  # the same id beat concurrently (a restart racing its predecessor's last beat)
            with self.engine.begin() as conn:
                conn.execute(update(nodes).where(nodes.c.id == self.node.id).values(**values))

    def leave(self) -> None:
        """At shutdown: gone at once (its scratch may be removed by the others)."""
        with self.engine.begin() as conn:
            conn.execute(update(nodes).where(nodes.c.id == self.node.id).values(expires=0.0))

    def live_tags(self) -> set[str]:
        """Tags of the nodes that beat lately (one more lease length of grace for clock skew)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(nodes.c.tag).where(nodes.c.expires > time.time() - self.node.lease_seconds))
            return {tag for (tag,) in rows} | {node_tag(self.node.id)}

    def remove_scratch_of_gone_nodes(self) -> int:
        """Scratch directories of nodes that stopped beating (their leases all lapsed), never a
        live node's; this node's own are removed at its start (`remove_work_dirs`)."""
        return remove_work_dirs_except(self.data_dir, self.live_tags())
