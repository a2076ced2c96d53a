"""The scheduler core: jobs in the database, run once when due, late runs audited."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, text

from notify import scheduling
from notify.extensions import db
from notify.models import AuditEvent
from notify.scheduling import runner
from tests.conftest import scene_command
from tests.notify.scheduling import sample_tasks

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Yu County


def pings(label: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.ping")
    if label is not None:
        query = query.where(AuditEvent.summary == label)
    return db.session.scalar(query)


def late_runs() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "scheduler.late_run")))


def stored_jobs() -> list[str]:
    return list(db.session.scalars(text("SELECT id FROM scheduled_jobs ORDER BY id")))


@pytest.fixture
def restart(app):
    """Forget this process's scheduler, as a restart would: only the database remembers jobs."""

    def _restart():
        store = app.extensions.pop(runner._STORE_EXT, None)
        if store is not None:
            store.shutdown(wait=False)

    _restart()
    yield _restart
    _restart()


def test_a_job_runs_once_when_due_and_not_before(restart):
    with freeze_time(T0):
        scheduling.schedule_once(sample_tasks.ping, T0 + timedelta(minutes=30), job_id="p1", label="a")
        db.session.commit()
        assert stored_jobs() == ["p1"]
    with freeze_time(T0 + timedelta(minutes=29)):
        scheduling.tick()
        assert pings() == 0
    with freeze_time(T0 + timedelta(minutes=30)):
        scheduling.tick()
        scheduling.tick()
        assert pings("a") == 1
        assert stored_jobs() == []
        assert late_runs() == []


def test_scheduling_takes_effect_with_the_transaction(restart):
    db.session.execute(select(1))  # a transaction is open
    scheduling.schedule_once(sample_tasks.ping, T0, job_id="rolled-back", label="x")
    db.session.rollback()
    assert stored_jobs() == []
    db.session.execute(select(1))
    scheduling.schedule_once(sample_tasks.ping, T0, job_id="kept", label="x")
    assert stored_jobs() == []  # not before the commit
    db.session.commit()
    assert stored_jobs() == ["kept"]
    scheduling.cancel("kept")
    db.session.commit()
    scheduling.cancel("never-was")
    db.session.commit()
    assert stored_jobs() == []


def test_the_same_job_id_replaces_and_only_tasks_are_accepted(restart):
    scheduling.schedule_once(sample_tasks.ping, T0, job_id="one", label="first")
    scheduling.schedule_once(sample_tasks.ping, T0 + timedelta(hours=1), job_id="one", label="second")
    db.session.commit()
    assert stored_jobs() == ["one"]
    assert scheduling.next_run_time("one") == T0 + timedelta(hours=1)
    with pytest.raises(TypeError):
        scheduling.schedule_once(sample_tasks.not_a_task, T0, job_id="bad", label="x")
    with pytest.raises(ValueError):
        scheduling.schedule_once(sample_tasks.ping, datetime(2026, 11, 23), job_id="naive", label="x")


def test_a_missed_daily_job_runs_once_after_a_restart_and_says_so(restart):
    with freeze_time(T0):
        scheduling.schedule_daily(sample_tasks.ping, hour=9, minute=30, job_id="daily", label="d")
        db.session.commit()
        assert scheduling.next_run_time("daily") == T0 + timedelta(minutes=30)
    restart()  # the scheduler is down for three days
    with freeze_time(T0 + timedelta(days=3, minutes=5)):
        scheduling.tick()
        assert pings("d") == 1
        [event] = late_runs()
        assert event.detail["job"] == "daily"
        assert len(event.detail["due"]) == 3
        assert "3 runs missed" in event.summary
        # The job stays for tomorrow, at its wall-clock time.
        assert scheduling.next_run_time("daily") == T0 + timedelta(days=3, minutes=30)
    with freeze_time(T0 + timedelta(days=3, minutes=30)):
        scheduling.tick()
        assert pings("d") == 2
        assert len(late_runs()) == 1  # on time: no new late-run event


def test_a_failing_job_is_audited_and_rolled_back(restart):
    scheduling.schedule_once(sample_tasks.explode, T0, job_id="boom", label="lost")
    db.session.commit()
    with freeze_time(T0 + timedelta(seconds=1)):
        scheduling.tick()
    assert pings("lost") == 0  # its own writes were rolled back
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "scheduler.job_failed")).all()
    assert [e.detail["job"] for e in failed] == ["tests.notify.scheduling.sample_tasks:explode"]


def test_the_in_process_scheduler_runs_jobs_written_by_another_process(app, restart):
    """The web process only writes to the store; the running scheduler finds the job by polling."""
    app.config["SCHEDULER_POLL_SECONDS"] = 0.2
    scheduler = runner.start_in_process(app)
    try:
        writer = runner._HereScheduler()  # what a separate web process uses
        writer.configure(jobstores={"default": runner._job_store(app)}, **runner._options(app))
        writer.start()
        writer.add_job(
            sample_tasks.ping,
            "date",
            run_date=datetime.now(UTC) + timedelta(seconds=0.5),
            id="from-elsewhere",
            kwargs={"label": "elsewhere"},
        )
        writer.shutdown(wait=False)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and pings("elsewhere") == 0:
            time.sleep(0.1)
            db.session.rollback()
        assert pings("elsewhere") == 1
    finally:
        scheduler.shutdown(wait=True)
        app.extensions.pop(runner._EXT, None)
        app.config["SCHEDULER_POLL_SECONDS"] = 5


@pytest.fixture
def scheduler_process(app, tmp_path):
    """`flask scheduler` as its own process on the test database."""
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SCHEDULER_POLL_SECONDS": "0.2",
        "SCHEDULER_LATE_SECONDS": "1",
        "PYTHONPATH": str(root),
        "SECRET_KEY": "test-secret",
    }
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(
            scene_command("flask", "scheduler"),
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def wait_for(predicate, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_flask_scheduler_survives_a_kill_and_runs_the_missed_job_once(scheduler_process, restart):
    first = scheduler_process()
    # Up and running once it has installed the standing jobs: only then is "soon" not already late.
    # (A process start takes seconds on a loaded machine: wait for it generously.)
    assert wait_for(lambda: set(scheduling.jobs._standing) <= set(stored_jobs()), seconds=90)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    scheduling.schedule_once(sample_tasks.ping, soon, job_id="before-kill", label="before")
    db.session.commit()
    assert wait_for(lambda: pings("before") == 1), first.stdout and first.stdout.read()

    first.send_signal(signal.SIGKILL)
    first.wait()
    due = datetime.now(UTC) + timedelta(seconds=0.5)
    scheduling.schedule_once(sample_tasks.ping, due, job_id="while-down", label="missed")
    db.session.commit()
    time.sleep(2.5)  # due while no scheduler runs
    assert pings("missed") == 0

    second = scheduler_process()
    assert wait_for(lambda: pings("missed") == 1, seconds=90)
    time.sleep(1)
    db.session.rollback()
    assert pings("missed") == 1
    assert [e.detail["job"] for e in late_runs()] == ["while-down"]
    # Only the standing daily jobs the scheduler installed on start remain.
    assert stored_jobs() == sorted(scheduling.jobs._standing)
    second.terminate()
    assert second.wait(timeout=10) == 0


def test_a_job_that_cancels_its_own_id_does_not_break_the_scheduler(restart):
    scheduling.schedule_once(sample_tasks.cancel_myself, T0, job_id="self", label="self")
    scheduling.schedule_once(sample_tasks.ping, T0, job_id="after", label="after")
    db.session.commit()
    with freeze_time(T0 + timedelta(seconds=1)):
        scheduling.tick()
    assert pings("self") == 1 and pings("after") == 1
    assert stored_jobs() == []
