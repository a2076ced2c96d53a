"""Jobs added inside a transaction wait for that transaction, not for a savepoint within it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from notify import scheduling
from notify.extensions import db
from tests.notify.scheduling import sample_tasks

# Instants are passed explicitly; everything else runs on the suite's frozen scene clock
# (tests/scene_clock.py), so the fixed dates hold on any day.
WHEN = datetime(2030, 1, 1, tzinfo=UTC)


def stored() -> list[str]:
    return list(db.session.scalars(text("SELECT id FROM scheduled_jobs ORDER BY id")))


def test_a_savepoint_commit_neither_writes_nor_drops_the_job(app):
    db.session.execute(text("SELECT 1"))  # a transaction is open
    scheduling.schedule_once(sample_tasks.ping, WHEN, job_id="sp:1", label="x")
    savepoint = db.session.begin_nested()
    savepoint.commit()
    inner = db.session.begin_nested()
    inner.rollback()
    db.session.commit()
    assert stored() == ["sp:1"]


def test_a_rolled_back_transaction_leaves_no_job(app):
    db.session.execute(text("SELECT 1"))
    scheduling.schedule_once(sample_tasks.ping, WHEN, job_id="sp:2", label="x")
    savepoint = db.session.begin_nested()
    savepoint.commit()
    db.session.rollback()
    db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert stored() == []
    db.session.rollback()  # stored()'s SELECT began a transaction; end it
    scheduling.schedule_once(sample_tasks.ping, WHEN + timedelta(days=1), job_id="sp:3", label="y")
    assert stored() == ["sp:3"]  # outside a transaction it is written at once
