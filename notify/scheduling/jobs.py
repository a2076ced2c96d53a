"""Declaring jobs and putting them into the job store.

A job is a module-level function decorated with @task; APScheduler stores a reference to it
(module:name) and its keyword arguments, so arguments must be plain values (ids, not objects).

Adding or removing a job inside a database transaction takes effect when that transaction
commits, and not at all if it rolls back: a warning whose publication was rolled back must not
leave an escalation behind, and on SQLite the job store could not write while the transaction
holds the write lock anyway.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from flask import has_app_context
from sqlalchemy import event

from notify import audit
from notify.app_proxy import unproxied_app
from notify.extensions import db
from notify.scheduling import runner

log = logging.getLogger(__name__)

_PENDING_KEY = "notify.scheduling.pending"


def task(func: Callable[..., None]) -> Callable[..., None]:
    """Make a module-level function a job: it runs in an app context and its work is committed.

    Inside an existing app context (a test calling tick(), the compressed demo day) it runs
    there; in the scheduler's own thread it gets the scheduler's app.
    """

    @functools.wraps(func)
    def run(**kwargs: Any) -> None:
        if has_app_context():
            _run_committed(func, kwargs)
            return
        with runner.scheduler_app().app_context():
            _run_committed(func, kwargs)

    run.__notify_task__ = True  # type: ignore[attr-defined]
    return run


def _run_committed(func: Callable[..., None], kwargs: dict) -> None:
    try:
        func(**kwargs)
        db.session.commit()
    except Exception:
        db.session.rollback()
        _record_failure(func, kwargs)
        raise


def _record_failure(func: Callable[..., None], kwargs: dict) -> None:
    try:
        audit.record(
            "scheduler.job_failed",
            actor_name="scheduler",
            summary=f"{func.__module__}.{func.__name__} failed",
            detail={"job": f"{func.__module__}:{func.__name__}", "kwargs": _plain(kwargs)},
        )
        db.session.commit()
    except Exception:  # the failure itself is logged by APScheduler; the audit is best effort
        db.session.rollback()
        log.exception("could not audit the failure of %s", func.__name__)


def _plain(kwargs: dict) -> dict:
    return {k: v if isinstance(v, (int, float, str, bool, type(None))) else str(v) for k, v in kwargs.items()}


def schedule_once(func: Callable[..., None], run_at: datetime, *, job_id: str, **kwargs: Any) -> None:
    """Run func(**kwargs) once at run_at (aware). A job with the same id is replaced."""
    if run_at.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    _check(func)
    _when_committed(
        lambda s: s.add_job(func, "date", run_date=run_at, id=job_id, kwargs=kwargs, replace_existing=True)
    )


def schedule_daily(func: Callable[..., None], *, hour: int, minute: int, job_id: str, **kwargs: Any) -> None:
    """Run func(**kwargs) every day at hour:minute on the jurisdiction's wall clock."""
    _check(func)
    _when_committed(
        lambda s: s.add_job(
            func, "cron", hour=hour, minute=minute, id=job_id, kwargs=kwargs, replace_existing=True
        )
    )


# The standing daily jobs, kept by the runner, which installs them whenever a scheduler starts.
_standing = runner.standing_jobs


def standing_daily(func: Callable[..., None], *, hour: int, minute: int, job_id: str, **kwargs: Any) -> None:
    """Declare a daily job that exists as long as the code does (see runner.install_standing)."""
    _check(func)
    _standing[job_id] = (func, hour, minute, kwargs)


def cancel(job_id: str) -> None:
    """Remove a job; nothing happens when there is none."""

    def remove(s) -> None:
        try:
            s.remove_job(job_id)
        except JobLookupError:
            pass

    _when_committed(remove)


def next_run_time(job_id: str) -> datetime | None:
    job = runner.store_scheduler().get_job(job_id)
    return job.next_run_time if job is not None else None


def _check(func: Callable[..., None]) -> None:
    if not getattr(func, "__notify_task__", False):
        raise TypeError(f"{func!r} is not a @scheduling.task")


def _when_committed(operation: Callable[[Any], None]) -> None:
    app = unproxied_app()
    session = db.session()
    if not session.in_transaction():
        operation(runner.store_scheduler(app))
        return
    pending = session.info.setdefault(_PENDING_KEY, [])
    if not pending:
        _listen_once(session, app)
    pending.append(operation)


def _listen_once(session, app) -> None:
    # SQLAlchemy signals after_commit and after_rollback for savepoints too (a nested
    # begin_nested() inside the publish transaction): those must neither run nor drop the
    # operations, which wait for the outermost transaction. `done` makes a listener left over
    # from an earlier transaction of the same session do nothing.
    done: list[bool] = []

    def after_commit(sess) -> None:
        if done or sess.in_nested_transaction():
            return
        done.append(True)
        for operation in sess.info.pop(_PENDING_KEY, []):
            operation(runner.store_scheduler(app))

    def after_transaction_end(sess, transaction) -> None:
        # The outermost transaction ended without after_commit having run them: rolled back.
        if done or transaction.parent is not None or transaction.nested:
            return
        done.append(True)
        sess.info.pop(_PENDING_KEY, None)

    event.listen(session, "after_commit", after_commit)
    event.listen(session, "after_transaction_end", after_transaction_end)
