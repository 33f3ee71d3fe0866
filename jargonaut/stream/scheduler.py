"""One decode queue for every stream: finals before partials, decoding off the event loop.

Streams share the Whisper model (one CTranslate2 replica per worker thread). A priority
heap keeps final results prompt when many streams ask for partials at once, and one
extra worker only ever takes finals, so a final never waits behind running partials.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from typing import TYPE_CHECKING, Any, Callable

FINAL, PARTIAL = 0, 1
Done = Callable[[Any, "BaseException | None"], None]

if TYPE_CHECKING:
    from jargonaut.asr.engine import SpeechEngine


class DecodePool:
    def __init__(self, engine: "SpeechEngine", workers: int = 2, final_workers: int = 1) -> None:
        self.engine = engine  # what the decode threads recognise with (the services' engine)
        self.workers = workers + final_workers  # model replicas needed
        self._general = workers
        self._heap: list[tuple[int, int, Callable[[], Any], Done]] = []
        self._cond = threading.Condition()
        self._order = itertools.count()
        self._running = 0
        threads = [threading.Thread(target=self._work, args=(False,), name=f"stream-decode-{i}", daemon=True)
                   for i in range(workers)]
        threads += [threading.Thread(target=self._work, args=(True,), name=f"stream-final-{i}", daemon=True)
                    for i in range(final_workers)]
        for thread in threads:
            thread.start()

    def _take(self, finals_only: bool) -> tuple[Callable[[], Any], Done]:
        with self._cond:
            while not self._heap or (finals_only and self._heap[0][0] != FINAL):
                self._cond.wait()
            _, _, fn, done = heapq.heappop(self._heap)
            self._running += 1
            return fn, done

    def _work(self, finals_only: bool) -> None:
        while True:
            fn, done = self._take(finals_only)
            try:
                value = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting stream
                done(None, exc)
            else:
                done(value, None)
            finally:
                with self._cond:
                    self._running -= 1

    async def run(self, priority: int, fn: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def done(value: Any, exc: BaseException | None) -> None:
            def settle() -> None:
                if future.cancelled():
                    return
                if exc is not None:
                    future.set_exception(exc)
                else:
                    future.set_result(value)

            try:
                loop.call_soon_threadsafe(settle)
            except RuntimeError:  # the loop closed (server shutting down)
                pass

        skipped = threading.Event()

        def guarded() -> Any:
            if skipped.is_set():
                raise asyncio.CancelledError()  # its stream no longer wants it: skip the decode
            return fn()

        with self._cond:
            heapq.heappush(self._heap, (priority, next(self._order), guarded, done))
            self._cond.notify_all()
        try:
            return await future
        except asyncio.CancelledError:
            skipped.set()
            raise

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def saturated(self) -> bool:
        """The general workers are all busy: more partials would only queue."""
        with self._cond:
            return self._running + len(self._heap) >= self._general
