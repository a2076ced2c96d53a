"""The default executor: threads inside the app process, so `make run` needs nothing else.

Each thread loops on Dispatcher.run_once; when there is nothing to claim it waits until the
outbox wakes it (a revision was published) or a short poll interval passes (retries fall due,
a dead worker's lease runs out).
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from notify.dispatch import wakeup
from notify.dispatch.dispatcher import Dispatcher, worker_id
from notify.extensions import db

log = logging.getLogger(__name__)


class ThreadExecutor:
    def __init__(self, app: Flask, dispatcher: Dispatcher, *, threads: int = 2, poll: float = 0.5):
        self.app = app
        self.dispatcher = dispatcher
        self.threads = threads
        self.poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def start(self) -> ThreadExecutor:
        wakeup.register(self.wake)
        for i in range(self.threads):
            t = threading.Thread(target=self._run, args=(f"t{i}",), name=f"dispatch-{i}", daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        wakeup.unregister(self.wake)
        self._stop.set()
        self._wake.set()
        for t in self._workers:
            t.join(timeout)
        self._workers.clear()

    def _run(self, suffix: str) -> None:
        me = worker_id(suffix)
        with self.app.app_context():
            while not self._stop.is_set():
                try:
                    handled = self.dispatcher.run_once(me)
                except Exception:
                    log.exception("dispatch round failed; trying again shortly")
                    db.session.rollback()
                    handled = 0
                    self._stop.wait(self.poll)
                if handled == 0:
                    self._wake.wait(self.poll)
                    self._wake.clear()
            db.session.remove()
