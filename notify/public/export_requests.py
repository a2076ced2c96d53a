"""Asking for the public site's export: what every change to what the public sees calls.

    request_export(now)                      in the change's transaction (publication, a console
                                             edit of a level, a township, a clarification, …)
    request_export(now, lifted_at=when)      a lifting: also once it has left the current feed
    wake()                                   after that transaction committed: export now

A request is a row that commits with the change or not at all; the export runner
(export_runner.py) exports off the request, once for however many requests are waiting, and
retries a failed export with backoff. Nothing here renders, raises on a failed export or waits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from notify import clock, scheduling
from notify.extensions import db
from notify.models import SiteExportRequest
from notify.public.queries import CANCEL_VISIBLE
from notify.wakers import Wakers


def request_export(now: datetime, *, lifted_at: datetime | None = None) -> None:
    """Record, in the caller's transaction, that the public site must be exported again.

    A lifting stays in the current-alerts feed for CANCEL_VISIBLE and nothing is published when
    that time is over, so `lifted_at` (the lifting's publication time) also schedules a job that
    asks again a minute after it has left the feed.
    """
    db.session.add(SiteExportRequest(requested_at=now))
    if lifted_at is not None:
        due = lifted_at + CANCEL_VISIBLE + timedelta(minutes=1)
        scheduling.schedule_once(refresh_export, due, job_id=f"public-export:{due:%Y%m%d%H%M}")


@scheduling.task
def refresh_export() -> None:
    """The timed re-export: a request like any other; the runner polls for it."""
    request_export(clock.now())


# Tell this process's export runner to look now (after the commit: woken earlier it would find
# nothing; a runner in another process finds the request by polling).
_wakers = Wakers()
register = _wakers.register
unregister = _wakers.unregister
wake = _wakers.wake
