"""Where jobs run: one scheduler process (or the demo's app process) over the shared job store.

Every process can put jobs into the store (jobs.py); exactly one runs them:
- `flask scheduler` in production: a BlockingScheduler, the one documented command;
- the demo (SCHEDULER_IN_PROCESS=1, set by `make run`): a BackgroundScheduler inside the app,
  started with the first request so that `flask db upgrade` and other commands run no jobs;
- tests and the compressed demo day: tick() runs what is due, synchronously, in the caller.

APScheduler 3 does not notice jobs another process writes into the store until it next looks,
so the running scheduler also looks every SCHEDULER_POLL_SECONDS. Jobs are coalesced and have
no misfire grace time: a job missed while the scheduler was down runs once when it comes back,
and an audit event says how late it ran and how many runs it stood for.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.debug import DebugExecutor
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, has_app_context

from notify import audit
from notify.app_proxy import unproxied_app
from notify.extensions import db
from notify.models.scheduling import JOBS_TABLE

log = logging.getLogger(__name__)

_EXT = "notify.scheduler"  # the scheduler that runs jobs in this process, if any
_STORE_EXT = "notify.scheduler.store"  # a scheduler that only writes to the store
_app_lock = threading.Lock()
_scheduler_app: Flask | None = None

# Daily jobs that belong to the code rather than to a record (the 09:30 reminder): declared when
# the app is set up (jobs.standing_daily), put into the store whenever a scheduler starts.
standing_jobs: dict[str, tuple[Callable[..., None], int, int, dict]] = {}


class _LateRunAudit:
    """Mixed into an executor: before a job runs, note in the audit log if it is running late."""

    grace: timedelta = timedelta(seconds=60)

    def submit_job(self, job, run_times):
        now = datetime.now(run_times[-1].tzinfo)
        if now - run_times[-1] > self.grace:
            # The job's next_run_time is still the first run it missed; the scheduler has
            # already coalesced the list it passes here down to the last one.
            missed = job._get_run_times(now) or run_times
            _audit_late(job.id, missed, now)
        return super().submit_job(job, run_times)


class _AuditedThreadPool(_LateRunAudit, ThreadPoolExecutor):
    pass


class _AuditedDebug(_LateRunAudit, DebugExecutor):
    pass


def _audit_late(job_id: str, missed: list[datetime], now: datetime) -> None:
    if has_app_context():  # tick(): the caller's context, whose session the job commits too
        _write_late(job_id, missed, now)
    elif _scheduler_app is not None:
        with _scheduler_app.app_context():
            _write_late(job_id, missed, now)
    else:
        log.warning("job %s runs late but no app is known to audit it", job_id)


def _write_late(job_id: str, missed: list[datetime], now: datetime) -> None:
    late = int((now - missed[-1]).total_seconds())
    runs = f" ({len(missed)} runs missed)" if len(missed) > 1 else ""
    audit.record(
        "scheduler.late_run",
        actor_name="scheduler",
        summary=(
            f"job {job_id} was due at {missed[0].isoformat()}{runs}; the scheduler was "
            f"not running then, so it runs once now, {late} s late"
        ),
        detail={
            "job": job_id,
            "due": [t.isoformat() for t in missed],
            "ran_at": now.isoformat(),
            "late_seconds": late,
        },
    )
    db.session.commit()


class _SelfCancelSafe:
    """A one-off job may cancel its own id while it runs (a publication job that finds the
    revision already published cleans up after itself). APScheduler then fails to remove the
    finished job and, in its main loop, would stop the scheduler; the job is gone either way."""

    def remove_job(self, job_id, jobstore=None):
        try:
            super().remove_job(job_id, jobstore)
        except JobLookupError:
            log.debug("job %s was already removed", job_id)


class _Blocking(_SelfCancelSafe, BlockingScheduler):
    pass


class _Background(_SelfCancelSafe, BackgroundScheduler):
    pass


class _HereScheduler(_SelfCancelSafe, BaseScheduler):
    """A scheduler that never runs anything by itself: it writes jobs to the store, and
    tick() makes it run what is due, synchronously, in the calling thread."""

    def shutdown(self, wait=True):
        super().shutdown(wait)

    def wakeup(self):
        pass

    def _create_default_executor(self):
        return _AuditedDebug()

    def run_due(self) -> None:
        self._process_jobs()


def _options(app: Flask) -> dict:
    return {
        "timezone": ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]),
        "job_defaults": {"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    }


def _job_store(app: Flask) -> SQLAlchemyJobStore:
    with app.app_context():
        engine = db.engine
    return SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)


def _configure(scheduler: BaseScheduler, app: Flask, executor) -> BaseScheduler:
    global _scheduler_app
    _LateRunAudit.grace = timedelta(seconds=app.config["SCHEDULER_LATE_SECONDS"])
    scheduler.configure(
        jobstores={"default": _job_store(app), "poll": MemoryJobStore()},
        executors={"default": executor},
        **_options(app),
    )
    with _app_lock:
        _scheduler_app = app
    return scheduler


def scheduler_app() -> Flask:
    if _scheduler_app is None:
        raise RuntimeError("no scheduler has been started in this process")
    return _scheduler_app


def store_scheduler(app: Flask | None = None) -> BaseScheduler:
    """The scheduler jobs are added through: the running one if this process runs jobs (so it
    wakes up at once), else one that only writes to the store."""
    app = app or unproxied_app()
    running = app.extensions.get(_EXT)
    if running is not None:
        return running
    with _app_lock:
        here = app.extensions.get(_STORE_EXT)
        if here is None:
            here = _HereScheduler()
            here.configure(
                jobstores={"default": _job_store(app)},
                executors={"default": _AuditedDebug()},
                **_options(app),
            )
            here.start()
            app.extensions[_STORE_EXT] = here
    return here


def install_standing(scheduler: BaseScheduler | None = None) -> list[str]:
    """Put the standing daily jobs into the store; returns the ids added or changed.

    A job already stored with the same time is left alone: replacing it would recompute its
    next run from now and lose a run missed while no scheduler was running.
    """
    scheduler = scheduler or store_scheduler()
    changed = []
    for job_id, (func, hour, minute, kwargs) in standing_jobs.items():
        trigger = CronTrigger(hour=hour, minute=minute, timezone=scheduler.timezone)
        job = scheduler.get_job(job_id)
        if job is not None and str(job.trigger) == str(trigger) and job.kwargs == kwargs:
            continue
        scheduler.add_job(func, trigger, id=job_id, kwargs=kwargs, replace_existing=True)
        changed.append(job_id)
    return changed


def tick() -> None:
    """Run every job due at the current (possibly frozen) time, here and now."""
    app = unproxied_app()
    global _scheduler_app
    with _app_lock:
        _scheduler_app = _scheduler_app or app
    _LateRunAudit.grace = timedelta(seconds=app.config["SCHEDULER_LATE_SECONDS"])
    scheduler = store_scheduler(app)
    if isinstance(scheduler, _HereScheduler):
        scheduler.run_due()
    else:  # a real scheduler runs in this process; make it look now
        scheduler.wakeup()


def _poll() -> None:
    """Nothing to do: being due every few seconds makes the scheduler look at the store."""


def _add_poll(scheduler: BaseScheduler, app: Flask) -> None:
    scheduler.add_job(
        _poll,
        "interval",
        seconds=app.config["SCHEDULER_POLL_SECONDS"],
        id="notify.poll",
        jobstore="poll",
        replace_existing=True,
    )


def start_in_process(app: Flask) -> BackgroundScheduler:
    scheduler = _configure(_Background(daemon=True), app, _AuditedThreadPool(max_workers=4))
    _add_poll(scheduler, app)
    scheduler.start()
    app.extensions[_EXT] = scheduler
    install_standing(scheduler)
    log.info("scheduler started in the app process")
    return scheduler


def run_forever(app: Flask) -> None:
    """`flask scheduler`: the one process that runs jobs, until SIGTERM or Ctrl-C."""
    scheduler = _configure(_Blocking(), app, _AuditedThreadPool(max_workers=4))
    _add_poll(scheduler, app)
    app.extensions[_EXT] = scheduler
    # Installed once the scheduler is running, so it sees what the store already holds.
    scheduler.add_listener(lambda _event: install_standing(scheduler), EVENT_SCHEDULER_STARTED)

    def stop(*_):
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        stop()


def init_app(app: Flask) -> None:
    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the timed jobs (publication, reminders, escalations) until stopped."""
        click.echo(
            f"scheduler: jobs in table {JOBS_TABLE}, looking every "
            f"{app.config['SCHEDULER_POLL_SECONDS']} s; Ctrl-C stops"
        )
        run_forever(app)

    if not app.config["SCHEDULER_IN_PROCESS"]:
        return
    lock = threading.Lock()

    @app.before_request
    def _start_scheduler() -> None:
        if _EXT in app.extensions or app.testing:
            return
        with lock:
            if _EXT not in app.extensions:
                start_in_process(app)
