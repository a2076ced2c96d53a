"""Deliveries carry a priority: responders before the public, red before orange before yellow,
warnings before routine messages; claims take the most urgent first, read in index order."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import String, cast, event, func, insert, literal, select, text

from notify import clock
from notify.dispatch import claims, outbox, priority
from notify.extensions import db
from notify.lifecycle.proposals import propose_issue
from notify.models import AlertKind, AudienceGroup, Delivery, Level, Recipient
from notify.models.deliveries import Status
from tests.conftest import proposal, take_to
from tests.notify.dispatch.test_plans import publish_now

BACKLOG = 200_000
RED_RESPONDERS = 100


def _levels(code: str) -> dict[str, Level]:
    kind = db.session.scalars(select(AlertKind).where(AlertKind.code == code)).one()
    return {lv.code: lv for lv in kind.levels}


class _Revision:
    """Just the level, which is all priority reads of a revision."""

    def __init__(self, level: Level):
        self.level = level


def test_responders_first_then_by_level_then_routine(sample_kind):
    smog = _levels("heavy_pollution")  # yellow, orange, red
    spill = _levels("environmental_emergency")  # blue, yellow, orange, red
    responders = [priority.for_responders(_Revision(smog[c])) for c in ("red", "orange", "yellow")]
    public = [priority.for_public(_Revision(smog[c])) for c in ("red", "orange", "yellow")]
    assert responders == sorted(responders) and len(set(responders)) == 3
    assert public == sorted(public) and len(set(public)) == 3
    # A yellow to those who must act goes before a red to the public; every warning before routine.
    assert priority.MOST_URGENT == responders[0] < responders[-1] < public[0] < public[-1] < priority.ROUTINE
    # Counted from the top of each kind's own scale: every kind's red is as urgent.
    assert priority.for_responders(_Revision(spill["red"])) == responders[0]
    assert priority.for_public(_Revision(spill["blue"])) > public[-1]


def test_writers_that_name_no_priority_write_routine(app):
    receipt = outbox.enqueue_message("13803530000", "您的举报已收到", purpose="tipoff_received")
    # As timed/messages.py and schools/escalation.py write: a Core insert naming no priority.
    db.session.execute(
        insert(Delivery.__table__).values(
            purpose="reminder",
            channel="sms",
            address="+8613803530001",
            body="提醒",
            status=Status.PENDING,
            gateway="aliyun",
            attempts=0,
            next_attempt_at=clock.now(),
            created_at=clock.now(),
            updated_at=clock.now(),
            locale="zh",
            error_reason="",
        )
    )
    # And the database's own default, for a writer outside the models.
    db.session.execute(
        text(
            "INSERT INTO deliveries (purpose, channel, address, locale, status, attempts, "
            "next_attempt_at, error_reason, created_at, updated_at) VALUES ('escalation', 'sms', "
            "'+8613803530002', 'zh', 'pending', 0, :now, '', :now, :now)"
        ),
        {"now": clock.now().replace(tzinfo=None)},
    )
    db.session.commit()
    rows = db.session.execute(select(Delivery.address, Delivery.priority).order_by(Delivery.id)).all()
    assert receipt.priority == priority.ROUTINE
    assert [p for _, p in rows] == [priority.ROUTINE] * 3


def _backlog(revision_id: int, urgency: int, n: int) -> None:
    """n pending deliveries of an earlier warning, written in one INSERT … SELECT."""
    counter = select(literal(1).label("i")).cte("counter", recursive=True)
    counter = counter.union_all(select(counter.c.i + 1).where(counter.c.i < n))
    now = clock.now()
    ts = Delivery.__table__.c.created_at.type
    db.session.execute(
        insert(Delivery.__table__).from_select(
            [
                "revision_id",
                "purpose",
                "channel",
                "address",
                "locale",
                "status",
                "gateway",
                "attempts",
                "next_attempt_at",
                "segments",
                "priority",
                "error_reason",
                "created_at",
                "updated_at",
            ],
            select(
                literal(revision_id),
                literal("warning"),
                literal("sms"),
                literal("+8613") + cast(literal(100_000_000) + counter.c.i, String),
                literal("zh"),
                literal(Status.PENDING),
                literal("aliyun"),
                literal(0),
                literal(now, ts),
                literal(1),
                literal(urgency),
                literal(""),
                literal(now, ts),
                literal(now, ts),
            ).select_from(counter),
        )
    )
    db.session.commit()


@contextmanager
def _query_plans():
    """The database's query plan of each statement run inside, as lines of text."""
    engine = db.engine
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    lines: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        cursor.execute(prefix + statement, parameters)
        lines.extend(" ".join(str(c) for c in row) for row in cursor.fetchall())

    event.listen(engine, "before_cursor_execute", explain)
    try:
        yield lines
    finally:
        event.remove(engine, "before_cursor_execute", explain)


def test_a_red_warnings_responders_overtake_a_yellow_backlog(
    sample_jurisdiction, sample_users, sample_draft, run_executor, wired
):
    # An earlier yellow warning whose 200,000 public deliveries are still being sent.
    take_to(sample_draft, "published", sample_users)
    _backlog(sample_draft.id, priority.for_public(sample_draft), BACKLOG)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE deliveries"))
        db.session.commit()
    # The claim reads its batch off the partial index, in its order: no sort of the backlog.
    with _query_plans() as lines:
        db.session.execute(
            claims.next_batch("aliyun", limit=300, now=clock.now(), ordering_hold=timedelta(seconds=60))
        ).all()
    db.session.rollback()
    shown = "\n".join(lines)
    print(f"\nclaim plan on {db.engine.dialect.name}:\n{shown}")
    assert "ix_deliveries_claimable" in shown
    assert "TEMP B-TREE" not in shown and "Sort" not in shown

    wired["aliyun"].faults.update(latency_ms=20, reports_enabled=False)
    run_executor(threads=2, DISPATCH_BATCH_ALIYUN=200)
    log = wired["aliyun"].messages
    deadline = time.monotonic() + 60
    while len(log.all(accepted=True)) < 3000 and time.monotonic() < deadline:
        time.sleep(0.01)
    # The red warning to the member units' 100 duty officers.
    units = db.session.scalars(select(AudienceGroup).where(AudienceGroup.code == "member_units")).one()
    db.session.execute(
        insert(Recipient),
        [
            {"group_id": units.id, "address": f"+86139{i:08d}", "name": "", "channel": "sms", "locale": "zh"}
            for i in range(RED_RESPONDERS)
        ],
    )
    db.session.commit()
    red = propose_issue(
        db.session.scalars(select(AlertKind).where(AlertKind.code == "environmental_emergency")).one(),
        proposal(_levels("environmental_emergency")["red"]),
        sample_users["office"],
    )
    db.session.commit()
    publish_now(red, sample_users)
    before = len(log.all(accepted=True))
    numbers = {f"139{i:08d}" for i in range(RED_RESPONDERS)}  # as the domestic gateway writes them
    while time.monotonic() < deadline:
        received = [m.to for m in log.all(accepted=True)]
        if numbers <= set(received):
            break
        time.sleep(0.01)
    received = [m.to for m in log.all(accepted=True)]
    assert numbers <= set(received), "the red warning never reached its responders"
    last_red = max(i for i, to in enumerate(received) if to in numbers)
    # The others are the earlier yellow warning's messages (the red warning's other recipients
    # are not overtaking it), counted as the domestic gateway writes numbers.
    yellow = {
        address.removeprefix("+86")
        for address in db.session.scalars(
            select(Delivery.address).where(Delivery.revision_id == sample_draft.id)
        )
    }
    overtaken = sum(1 for to in received[before : last_red + 1] if to in yellow)
    print(f"backlog messages handed over after the red publication, before its last responder: {overtaken}")
    # A few batches of 200 in flight around the commit (2 threads), never the backlog before it.
    assert overtaken < 1000
    db.session.rollback()
    reds = db.session.scalars(select(Delivery.priority).where(Delivery.revision_id == red.id)).all()
    assert set(reds) == {priority.MOST_URGENT}
    pending = db.session.scalar(select(func.count()).where(Delivery.status == Status.PENDING))
    assert pending > BACKLOG // 2  # the backlog was still there to overtake
