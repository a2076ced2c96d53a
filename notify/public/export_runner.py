"""Running the exports that were asked for, off the request, retried, and alarmed when failing.

run_pending() exports at most once: when an export was requested, is due (not waiting out the
backoff of a failure) and no other process holds the lease. It takes every request there is, so
many publications make one export. A failure keeps its error and attempt count, waits 2 s,
4 s, … up to PUBLIC_EXPORT_RETRY_CAP_SECONDS before the next try, is written to the audit log
once per failure streak and shows on every console page (alarm()) until an export succeeds.
The export removes its manifest when it fails, so the app renders the pages itself meanwhile.

In the web process a daemon thread of its own loops on run_pending (PUBLIC_EXPORT_ON_COMMIT):
started with the first request like the dispatch threads, so `flask db upgrade`, other commands
and tests export nothing; woken by export_requests.wake() after a publication commits and looking
every PUBLIC_EXPORT_POLL_SECONDS otherwise, so a publication committed by another process (the
scheduler) is exported within a second too. It is not a dispatch thread: a slow or failing
export never delays a message.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, or_, select, update

from notify import audit, clock
from notify.extensions import db
from notify.models import SiteExportRequest, SiteExportState
from notify.models.site_exports import STATE_ID
from notify.public import export, export_owner, export_requests
from notify.row_counts import rows_written

log = logging.getLogger(__name__)

_EXT = "notify.public.export_runner"
_ERROR_CHARS = 2000


class ExportBusy(RuntimeError):
    """Another process is exporting now."""


@dataclass(frozen=True)
class Attempt:
    manifest: dict | None  # None: it failed
    error: str = ""


@dataclass(frozen=True)
class Alarm:
    """The public site is out of date because its export keeps failing."""

    since: datetime  # the oldest change the export does not show yet
    attempts: int
    last_error: str
    retry_at: datetime | None


def run_pending(app: Flask, now: datetime | None = None) -> bool:
    """Export once if an export is requested and due and nobody else is exporting; True if it
    tried (whether or not the export succeeded). Never raises for a failed export."""
    return contextvars.Context().run(_run, app, now, False) is not None


def export_now(app: Flask) -> Attempt:
    """`flask public-export`: export now whether or not anything asked, through the same lease and
    bookkeeping (it clears the requests and the alarm when it succeeds). Raises ExportBusy."""
    attempt = contextvars.Context().run(_run, app, None, True)
    if attempt is None:
        raise ExportBusy("another process is exporting the public site now; try again in a moment")
    return attempt


def _run(app: Flask, now: datetime | None, force: bool) -> Attempt | None:
    with app.app_context():
        try:
            return _attempt(app, now or clock.now(), force)
        finally:
            db.session.remove()


def _attempt(app: Flask, now: datetime, force: bool) -> Attempt | None:
    # The requests committed before the export starts: it shows their changes, so they are the
    # ones it settles. (Not "every id up to the highest": on PostgreSQL a lower id can commit later.)
    asked = list(db.session.scalars(select(SiteExportRequest.id)))
    if not asked and not force:
        return None
    export_owner.install_id()  # the state row exists from here on
    db.session.commit()
    state = db.session.get_one(SiteExportState, STATE_ID)
    if not force and state.retry_at is not None and state.retry_at > now:
        return None
    me = _worker_id()
    if not _take_lease(app, me, now):
        return None
    try:  # on a session of its own; _take_lease committed, so this one holds no transaction
        manifest = export.export(app)
    except Exception as exc:
        log.exception("public export failed; the app renders the public pages until it succeeds")
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS]
        _failed(app, me, now, error)
        return Attempt(None, error)
    _succeeded(me, now, asked)
    return Attempt(manifest)


def _take_lease(app: Flask, me: str, now: datetime) -> bool:
    until = now + timedelta(seconds=app.config["PUBLIC_EXPORT_LEASE_SECONDS"])
    taken = db.session.execute(
        update(SiteExportState)
        .where(
            SiteExportState.id == STATE_ID,
            or_(
                SiteExportState.lease_until.is_(None),
                SiteExportState.lease_until <= now,
                SiteExportState.lease_owner == me,
            ),
        )
        .values(lease_owner=me, lease_until=until)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rows_written(taken) == 1


def _succeeded(me: str, now: datetime, asked: list[int]) -> None:
    db.session.expire_all()
    state = db.session.get_one(SiteExportState, STATE_ID)
    for start in range(0, len(asked), 500):  # requests made during the export wait for the next one
        chunk = asked[start : start + 500]
        db.session.execute(delete(SiteExportRequest).where(SiteExportRequest.id.in_(chunk)))
    if state.failing_since is not None:
        audit.record(
            "public_export.recovered",
            actor_name="system",
            summary=f"the public site is exported again after {state.attempts} failed attempts",
            detail={"failing_since": state.failing_since.isoformat(), "attempts": state.attempts},
        )
    state.last_exported_at = now
    state.failing_since, state.attempts, state.last_error, state.retry_at = None, 0, "", None
    _release(state, me)
    db.session.commit()


def _failed(app: Flask, me: str, now: datetime, error: str) -> None:
    db.session.rollback()
    db.session.expire_all()
    state = db.session.get_one(SiteExportState, STATE_ID)
    state.attempts += 1
    base, cap = app.config["PUBLIC_EXPORT_RETRY_BASE_SECONDS"], app.config["PUBLIC_EXPORT_RETRY_CAP_SECONDS"]
    state.retry_at = now + timedelta(seconds=min(cap, base * 2 ** min(state.attempts - 1, 30)))
    state.last_error = error
    if state.failing_since is None:  # once per streak: the console's alarm says the rest
        state.failing_since = now
        audit.record(
            "public_export.failed",
            actor_name="system",
            summary="the public site's export failed; the app serves the public pages until it succeeds",
            detail={"error": error, "folder": str(export.export_dir(app))},
        )
    _release(state, me)
    db.session.commit()


def _release(state: SiteExportState, me: str) -> None:
    if state.lease_owner == me:
        state.lease_owner, state.lease_until = "", None


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def alarm() -> Alarm | None:
    """The console's alarm, when the export is failing (read in the caller's session)."""
    row = db.session.execute(
        select(
            SiteExportState.failing_since,
            SiteExportState.attempts,
            SiteExportState.last_error,
            SiteExportState.retry_at,
        ).where(SiteExportState.id == STATE_ID)
    ).first()
    if row is None or row.failing_since is None:
        return None
    oldest = db.session.scalar(select(func.min(SiteExportRequest.requested_at)))
    since = min(oldest, row.failing_since) if oldest is not None else row.failing_since
    return Alarm(since=since, attempts=row.attempts, last_error=row.last_error, retry_at=row.retry_at)


class ExportRunner:
    """The web process's export thread (one per process; the lease keeps processes apart)."""

    def __init__(self, app: Flask, *, poll: float = 0.5):
        self.app = app
        self.poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ExportRunner:
        export_requests.register(self.wake)
        self._thread = threading.Thread(target=self._run, name="public-export", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        export_requests.unregister(self.wake)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tried = run_pending(self.app)
            except Exception:  # the database away, say: keep looking
                log.exception("the public export runner could not look for work; trying again shortly")
                tried = False
            if not tried:
                self._wake.wait(self.poll)
                self._wake.clear()


def init_app(app: Flask) -> None:
    """Start the runner with the first request when PUBLIC_EXPORT_ON_COMMIT says this process
    runs it; never in commands (`flask db upgrade`) or tests (TESTING), unless a test starts it."""
    lock = threading.Lock()

    @app.before_request
    def _start_export_runner() -> None:
        if _EXT in app.extensions or app.testing or not app.config["PUBLIC_EXPORT_ON_COMMIT"]:
            return
        with lock:
            if _EXT not in app.extensions:
                start(app)


def start(app: Flask) -> ExportRunner:
    runner = ExportRunner(app, poll=app.config["PUBLIC_EXPORT_POLL_SECONDS"]).start()
    app.extensions[_EXT] = runner
    return runner
