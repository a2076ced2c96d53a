"""kill -9 the process expanding a 20,000-subscriber plan, start another: it goes on from the
saved cursor once the dead one's lease has run out, and every address gets exactly one delivery."""

from __future__ import annotations

import os
import signal
import time

from sqlalchemy import func, select

from notify.audience import audience_size
from notify.extensions import db
from notify.models import Delivery, DispatchPlan
from notify.models.dispatch_plans import PlanStatus
from tests.notify.dispatch.fixtures import dispatch_worker_process
from tests.notify.dispatch.test_plans import add_subscribers, publish_now

N = 20_000
CHUNK = 500


def _expander(app):
    """`flask dispatch-worker` with no SMS gateway: its rounds only expand plans."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DISPATCH_THREADS": "1",
        "DISPATCH_PLAN_CHUNK": str(CHUNK),
        "DISPATCH_PLAN_LEASE_SECONDS": "2",
        "TWILIO_ACCOUNT_SID": "",
        "ALIYUN_ACCESS_KEY_ID": "",
        "FLASK_APP": "wsgi",
    }
    return dispatch_worker_process(env)


def _plan() -> DispatchPlan:
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(select(DispatchPlan)).one()


def _written() -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Delivery)) or 0,
        db.session.scalar(select(func.count(func.distinct(Delivery.address)))) or 0,
    )


def test_a_killed_expander_is_resumed_from_its_cursor(app, sample_users, sample_draft):
    add_subscribers(N, prefix="+86139")
    publish_now(sample_draft, sample_users)
    size = audience_size(sample_draft)
    assert size == N and _written() == (0, 0) and _plan().cursor == 0
    worker = _expander(app)
    try:
        deadline = time.monotonic() + 60
        while _plan().cursor < 4 * CHUNK and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        plan = _plan()
        cut_at, last = plan.cursor, plan.max_recipient_id
        assert 0 < cut_at < last, "the kill must land in the middle of the expansion"
        # Each chunk commits with its cursor: nothing beyond the cursor, nothing half-written.
        assert _written() == (plan.rows_written, plan.rows_written)
        assert plan.status == PlanStatus.EXPANDING and plan.lease_owner is not None
        worker = _expander(app)
        deadline = time.monotonic() + 90
        while _plan().status != PlanStatus.DONE and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.kill()
        worker.wait(10)
    plan = _plan()
    print(f"\nkill -9 at cursor {cut_at} of {last}; resumed by {plan.lease_owner or 'a second worker'}")
    assert (plan.status, plan.cursor, plan.rows_written) == (PlanStatus.DONE, last, N)
    assert _written() == (N, N)
