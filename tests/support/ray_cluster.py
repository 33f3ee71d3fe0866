"""A real Ray cluster on loopback for tests and benches: a head without CPUs (so work goes to
the workers) and worker nodes of their own raylets (`ray.cluster_utils.Cluster`), small object
stores, no dashboard. Stopped (every raylet and worker) when the context ends."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.support.server import REPO, free_port

MB = 1024**2
# Ray on loopback only: its "local machine" mode binds and connects to 127.0.0.1 (the default is
# the address other machines reach); no log deduplication, so every worker line reaches the log.
RAY_FIXED_PORTS = {6379, 8265, 10001, 52365}  # Ray's defaults: GCS, dashboard, client server, dashboard agent
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_DEDUP_LOGS": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def node_args(cpus: int = 1) -> dict[str, Any]:
    return {"num_cpus": cpus, "object_store_memory": 100 * MB, "node_ip_address": "127.0.0.1"}


@dataclass
class LocalRay:
    cluster: Any  # ray.cluster_utils.Cluster: add_node / remove_node / worker_nodes
    client_address: str  # ray://127.0.0.1:PORT, the head's Ray Client server

    @property
    def address(self) -> str:
        """The GCS host:port (for a driver on this machine, which runs the cluster's raylets)."""
        return str(self.cluster.address)


@contextlib.contextmanager
def local_ray_cluster(workers: int = 2, cpus_per_worker: int = 1) -> Iterator[LocalRay]:
    """Both addresses JARGONAUT_EXECUTOR takes for a remote cluster: GCS host:port and ray://."""
    from ray.cluster_utils import Cluster

    saved = dict(os.environ)
    # The raylets (and so their worker processes) inherit this environment: they import jargonaut from here.
    os.environ.update(RAY_ENV, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    client_port = free_port()
    while client_port in RAY_FIXED_PORTS:  # a free port now may be one Ray is about to take
        client_port = free_port()
    cluster = Cluster(initialize_head=True, head_node_args={
        **node_args(0), "include_dashboard": False, "ray_client_server_port": client_port})
    try:
        for _ in range(workers):
            cluster.add_node(**node_args(cpus_per_worker))
        cluster.wait_for_nodes()
        yield LocalRay(cluster, f"ray://127.0.0.1:{client_port}")
    finally:
        cluster.shutdown()
        os.environ.clear()
        os.environ.update(saved)
