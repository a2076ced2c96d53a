"""The scale-out executor: Celery workers on a Redis broker sharing the PostgreSQL database.

Start one or more with

    DATABASE_URL=postgresql+psycopg://… DISPATCH_EXECUTOR=celery \\
      .venv/bin/celery -A notify.dispatch.worker worker --concurrency 2 --loglevel INFO

and run the web app with DISPATCH_EXECUTOR=celery, so that publishing kicks the workers
instead of starting threads. The task calls the same Dispatcher.run_once as the thread executor.
A task drains until nothing is claimable, then, if anything is still outstanding (retries not yet
due, a dead worker's lease not yet expired), one chain keeps polling once a second.
"""

from __future__ import annotations

import os
import time

from celery import Celery, signals

from notify.dispatch import claims
from notify.dispatch.dispatcher import worker_id

BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
celery = Celery("notify", broker=BROKER)
celery.conf.update(
    task_acks_late=True,  # a killed worker's task goes back to the queue
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 120},
)

_app = None
DRAIN_SECONDS = 15.0
POLL_KEY = "notify:dispatch:poller"


def flask_app():
    global _app
    if _app is None:
        # An entry point (`celery -A notify.dispatch.worker`): it builds its own app, and the
        # app factory imports every package, this one included.
        from notify import create_app

        _app = create_app()
    return _app


@celery.task(name="notify.dispatch.drain", bind=True)
def drain(self) -> int:
    app = flask_app()
    handled = 0
    with app.app_context():
        dispatcher = app.extensions["notify.get_dispatcher"]()
        me = worker_id(f"celery-{self.request.id[:8]}")
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            n = dispatcher.run_once(me)
            handled += n
            if n == 0:
                break
        else:
            drain.apply_async()  # time is up but there is more: hand on to a fresh task
            return handled
        if claims.outstanding():  # rows to send or plans to write
            _poll_later()
    return handled


def _poll_later() -> None:
    """At most one polling chain across all workers, however many drains ran dry."""
    import redis

    client = redis.Redis.from_url(BROKER)
    if client.set(POLL_KEY, "1", nx=True, px=900):
        drain.apply_async(countdown=1)


def kick(parallel: int | None = None) -> None:
    """Called after a publish commits: one drain per worker slot, so all of them start."""
    n = parallel or int(os.environ.get("DISPATCH_CELERY_PARALLEL", "2"))
    for _ in range(n):
        drain.apply_async()


@signals.worker_ready.connect
def _resume(**_):
    # After a crash or restart: pick up what is pending and what dead workers held.
    kick()
