"""The Ray executor: claimed jobs and trainings run on a Ray cluster; Ray places, retries and
restarts them. This node keeps the lease (its heartbeat renews it while Ray runs the work) and the
fencing token guards every write, so a job is finished once whatever Ray or the node does.

- Jobs run on **speech actors**: one per job thread of this node (`Settings.workers`), each a
  worker process that built the services from `Settings` and keeps the base models and recently
  used CLMs warm between jobs. Placement by resources: 1 CPU each (and 1 GPU with device cuda).
  A lost actor (its process or machine died) is restarted by Ray on a node with room, and the
  job's call is retried there; the node's claim and token stay the same. An actor is restarted
  at most `TASK_RETRIES` times (a job that crashes its process every time ends FAILED); the
  thread then starts a fresh actor for its next job.
- Trainings run as Ray tasks (1 CPU), retried on worker loss the same way.
- Actors belong to this node's driver: when the node dies, Ray ends them, so a stale attempt dies
  with it (and could not write anyway: the node that takes the job over raises the token).

Work crosses to Ray as plain data (Settings, WorkItem) and module-level functions; nothing live
(database connections, models) is pickled."""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import replace
from typing import Any, Callable

from jargonaut.executor.base import ExecutorClosed, Worker, WorkerLost, WorkItem
from jargonaut.settings import Settings

log = logging.getLogger(__name__)

WorkerFactory = Callable[[Settings], Worker]  # module-level, so Ray ships it by reference
TASK_RETRIES = 3  # work whose worker dies this often (say it crashes the process) is failed, not retried forever
NAMESPACE = "jargonaut"


def ray_address(executor: str) -> str:
    """JARGONAUT_EXECUTOR → ray.init's address: `ray` lets Ray find the cluster (RAY_ADDRESS, or
    the one `ray start` began on this machine); `ray://host:port` is a Ray Client connection (no
    Ray on this machine); `host:port` is a cluster's GCS address (this machine runs a Ray node)."""
    if executor == "ray":
        return "auto"
    host, _, port = executor.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"JARGONAUT_EXECUTOR={executor!r}: use local, ray, ray://HOST:PORT (Ray Client) "
                         "or HOST:PORT (the cluster's GCS address)")
    return executor


def running_on() -> str:
    """Where this code runs, for the log: the Ray node and the worker's process id."""
    import ray

    return f"Ray node {ray.get_runtime_context().get_node_id()} (pid {os.getpid()})"


def _log_to_stderr() -> None:
    """Worker processes log like the server; Ray forwards their stderr to the driver's log."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)


class SpeechActor:
    """One Ray worker process with the node's services (and so its warm SpeechEngine and CLM cache)."""

    def __init__(self, settings: Settings, factory: WorkerFactory) -> None:
        _log_to_stderr()
        self.worker = factory(settings)

    def where(self) -> str:
        return running_on()

    def transcribe(self, item: WorkItem) -> str:
        self.worker.transcribe(item)
        return running_on()


_task_workers: dict[tuple[str, str], Worker] = {}  # per worker process: services built once, reused by later tasks


def train_task(settings: Settings, factory: WorkerFactory, item: WorkItem) -> str:
    """A training as a Ray task; a process Ray reuses keeps the services it built."""
    key = (settings.node, settings.database)
    if key not in _task_workers:
        _log_to_stderr()
        _task_workers[key] = factory(settings)
    _task_workers[key].train(item)
    return running_on()


CONNECT_ATTEMPTS = 3


def _connect(ray: Any, address: str | None) -> None:
    """ray.init, again after a transient refusal: Ray Client's proxy starts a server per
    client and, on a busy head, can answer "Initialization failure from server" (its
    per-client server died while starting); a cluster that is really absent fails every try."""
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            ray.init(address=address, namespace=NAMESPACE, log_to_driver=True)
            return
        except ConnectionError as exc:
            if attempt == CONNECT_ATTEMPTS:
                raise
            log.warning("Ray refused the connection (%s); trying again (%d of %d)",
                        str(exc).splitlines()[0], attempt + 1, CONNECT_ATTEMPTS)
            ray.shutdown()
            time.sleep(2.0 * attempt)


class RayExecutor:
    def __init__(self, settings: Settings, factory: WorkerFactory) -> None:
        address = ray_address(settings.executor)
        try:
            import ray
        except ImportError as exc:
            raise RuntimeError(f"JARGONAUT_EXECUTOR={settings.executor} needs Ray: pip install 'jargonaut[ray]'") from exc
        self._ray = ray
        _connect(ray, address)
        # The worker acts as this node (its lease, its scratch dirs): fix the id, which would
        # otherwise default to the worker machine's host name.
        self.settings = replace(settings, node_id=settings.node)
        self.factory = factory
        gpus = 1 if settings.device == "cuda" else 0
        # Calls wait out a restart (-1: however often the actor is unreachable meanwhile); the
        # restarts themselves are bounded.
        self._actor_class = ray.remote(num_cpus=1, num_gpus=gpus, max_restarts=TASK_RETRIES,
                                       max_task_retries=-1)(SpeechActor)
        self._train_task = ray.remote(num_cpus=1, num_gpus=gpus, max_retries=TASK_RETRIES)(train_task)
        self._per_thread = threading.local()  # each job thread of the node drives its own actor
        self._closed = False
        log.info("executor: Ray cluster at %s, %d CPU(s) %s", settings.executor,
                 int(ray.cluster_resources().get("CPU", 0)), f"and {gpus} GPU per worker" if gpus else "")

    def transcribe(self, item: WorkItem) -> str:
        actor = self._actor()
        log.info("job %s (account %s, %s) runs on %s", item.name, item.account_id, item.region,
                 self._get(actor.where.remote()))
        return str(self._get(actor.transcribe.remote(item)))

    def train(self, item: WorkItem) -> str:
        return str(self._get(self._train_task.remote(self.settings, self.factory, item)))

    def close(self) -> None:
        self._closed = True  # calls still waiting end as ExecutorClosed, not as failed work
        self._ray.shutdown()  # ends this driver's actors; the work stays leased until taken over

    def _actor(self) -> Any:
        actor = getattr(self._per_thread, "actor", None)
        if actor is None:
            actor = self._per_thread.actor = self._actor_class.remote(self.settings, self.factory)
        return actor

    def _get(self, ref: Any) -> Any:
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayError as exc:
            if self._closed:
                raise ExecutorClosed() from exc
            if isinstance(exc, self._ray.exceptions.ActorDiedError):
                self._per_thread.actor = None  # out of restarts: the next job gets a fresh actor
            raise WorkerLost(str(exc).strip().splitlines()[0]) from exc
