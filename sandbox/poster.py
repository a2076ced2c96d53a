"""Posts status callbacks and receipts later, from a few background threads.

The create call of a stand-in only schedules a job; the job runs on a worker thread when it is
due, so a slow or dead receiver never blocks the API and never kills the stand-in (every error of
a job is caught and recorded by the job itself).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

import requests

log = logging.getLogger(__name__)


class DelayedPoster:
    def __init__(self, workers: int = 4, name: str = "poster"):
        self._heap: list[tuple[float, int, Callable[[requests.Session], None]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._running_jobs = 0
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def schedule(self, delay_s: float, job: Callable[[requests.Session], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, delay_s), next(self._order), job))
            self._cond.notify()

    def clear(self) -> None:
        """Drop every job not yet started (a reset between tests)."""
        with self._cond:
            self._heap.clear()

    def idle(self) -> bool:
        with self._cond:
            return not self._heap and self._running_jobs == 0

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.01)
        return self.idle()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=2)

    def _work(self) -> None:
        session = requests.Session()  # one per thread: keeps connections to the receiver alive
        while True:
            with self._cond:
                while not self._stopped:
                    if self._heap and self._heap[0][0] <= time.monotonic():
                        break
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._heap)
                self._running_jobs += 1
            try:
                job(session)
            except Exception:  # a job's failure must never end the worker
                log.exception("report job failed")
            finally:
                with self._cond:
                    self._running_jobs -= 1
