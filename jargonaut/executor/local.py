"""The embedded executor: work runs in the calling thread (one of the node's `WorkerPool`
threads), on this process's own services."""
from __future__ import annotations

from jargonaut.executor.base import Worker, WorkItem

IN_PROCESS = ""  # nothing to log: the node's own log already tells the job's story


class LocalExecutor:
    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def transcribe(self, item: WorkItem) -> str:
        self.worker.transcribe(item)
        return IN_PROCESS

    def train(self, item: WorkItem) -> str:
        self.worker.train(item)
        return IN_PROCESS

    def close(self) -> None:
        pass
