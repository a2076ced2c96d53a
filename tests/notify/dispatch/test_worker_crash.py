"""kill -9 the worker in the middle of a 20,000-recipient dispatch, start it again: nothing lost."""

from __future__ import annotations

import os
import signal
import time

from sqlalchemy import func, insert, select

from notify.extensions import db
from notify.models import AudienceGroup, Delivery, Recipient
from notify.models.deliveries import Status
from tests.conftest import take_to
from tests.notify.dispatch.conftest import wait_until_final
from tests.notify.dispatch.fixtures import RECEIPT_TOKEN, dispatch_worker_process

N = 20_000
BATCH = 500


def _count(*statuses):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status.in_(statuses)))


def _worker(app, wired):
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "TWILIO_BASE_URL": wired["twilio"].url,
        "ALIYUN_SMS_ENDPOINT": wired["aliyun"].url,
        "CALLBACK_BASE_URL": wired["base"],
        "ALIYUN_RECEIPT_TOKEN": RECEIPT_TOKEN,
        # One thread, so at most one batch is in flight when the process dies.
        "DISPATCH_THREADS": "1",
        "DISPATCH_BATCH_ALIYUN": str(BATCH),
        "DISPATCH_LEASE_SECONDS": "2",
        "RATE_ALIYUN": "0",
        "RATE_TWILIO": "0",
        "FLASK_APP": "wsgi",
    }
    return dispatch_worker_process(env)


def test_kill_9_mid_dispatch_loses_nothing(app, sample_users, sample_draft, wired):
    group = db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == "public"))
    db.session.execute(
        insert(Recipient),
        [
            {"group_id": group.id, "address": f"+86139{i:08d}", "name": "", "channel": "sms", "locale": "zh"}
            for i in range(N)
        ],
    )
    db.session.commit()
    # Each SendSms call takes 150 ms, so the dispatch lasts a few seconds and can be cut short.
    wired["aliyun"].faults.update(latency_ms=150)
    worker = _worker(app, wired)
    try:
        take_to(sample_draft, "published", sample_users)
        deadline = time.monotonic() + 60
        while _count(Status.ACCEPTED, Status.DELIVERED) < N // 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.075)  # halfway through the next SendSms call, so a batch is in flight
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        handed_over_at_kill = _count(Status.ACCEPTED, Status.DELIVERED)
        assert 0 < handed_over_at_kill < N, "the kill must land in the middle of the dispatch"
        held = _count(Status.SENDING)
        assert held <= BATCH  # the batch the dead worker held, if any, stays leased to it
        worker = _worker(app, wired)
        counts = wait_until_final(N, timeout=120)
    finally:
        worker.kill()
        worker.wait(10)
    assert counts == {Status.DELIVERED: N}
    # One row per address, every one delivered: none lost.
    db.session.rollback()
    assert db.session.scalar(select(func.count(func.distinct(Delivery.address)))) == N
    # At-least-once: the batch in flight at the kill may have reached the gateway twice.
    duplicates = wired["aliyun"].messages.duplicates()
    extra = sum(n - 1 for n in duplicates.values())
    print(f"\nkill -9 after {handed_over_at_kill} handed over, {held} leased; duplicates sent: {extra}")
    assert extra <= BATCH
    assert len(wired["aliyun"].messages.count_per_number()) == N
