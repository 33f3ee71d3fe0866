"""The executor seam: where a claimed transcription job or CLM training runs.

The node that claimed the work (service layer: the lease, the fencing token) hands the executor a
`WorkItem`; the executor runs it on a `Worker` — this process's own services (`LocalExecutor`) or
services that a Ray worker process rebuilt from `Settings` (`RayExecutor`) — and returns when it is
done. A worker loads everything from the database by the item's key and writes only while the
item's fencing token still holds, so a stale or repeated run writes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WorkItem:
    """A claimed job or training: its key and the fencing token its claim got (plain, picklable)."""

    account_id: str
    region: str
    name: str
    fence: int


class Worker(Protocol):
    """Runs claimed work items (`service.work.Work`)."""

    def transcribe(self, item: WorkItem) -> None: ...

    def train(self, item: WorkItem) -> None: ...


class Executor(Protocol):
    """Runs an item to its end and says where it ran, for the log ("" in this process); raises
    `WorkerLost` when the process running it died more often than the executor retries."""

    def transcribe(self, item: WorkItem) -> str: ...

    def train(self, item: WorkItem) -> str: ...

    def close(self) -> None: ...


class WorkerLost(Exception):
    """The work's process or machine was lost, and retrying elsewhere did not get it done."""


class ExecutorClosed(Exception):
    """The node is shutting down: its work stays leased to it until another node takes it over."""
