"""The embedded executor: an in-process thread pool (CTranslate2 and NumPy release the GIL)."""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

log = logging.getLogger(__name__)


class WorkerPool:
    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="jargonaut-worker")

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future = self._pool.submit(fn, *args)
        future.add_done_callback(_log_crash)
        return future

    def shutdown(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)


def _log_crash(future: Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("work item crashed", exc_info=future.exception())
