"""The large audience of a publication: a durable plan, expanded after the commit in chunks.

write_plan() runs in the publish transaction and writes one row, whatever the audience: the
groups the responders' statement left out (notify.dispatch.outbox: open groups and any group above
DISPATCH_INLINE_GROUP_LIMIT), the highest recipient id at that moment (who subscribes later is not
added) and a cursor at 0.

expand_next() runs at the start of every executor round (Dispatcher.run_once). It claims one open
plan under a lease, as claims.py claims deliveries (PostgreSQL skips a plan another worker is
expanding; SQLite's single writer makes the UPDATE exclusive), and writes ONE chunk: the
recipients with cursor < id <= min(cursor + chunk, max_recipient_id), as one INSERT … SELECT over
the same audience rules the approver confirmed (notify.audience), with the plan's cursor and
row count moved in the same transaction. Hence:

- idempotent: a chunk written twice (a cursor rewound, a crash between the insert and the
  commit cannot happen) writes nothing new: ON CONFLICT DO NOTHING on the deliveries' unique
  key (revision, channel, address, purpose). An address already written keeps its row: a
  responder's (written at publication) or the one of an earlier chunk through another group.
- resumable: a killed expander's chunk was never committed; its lease runs out and any worker
  goes on from the saved cursor. The expander keeps its lease from chunk to chunk, so one worker
  expands a plan while the others send what it wrote.
- an expired revision is not sent (claims.py), so its plan writes nothing further: it is closed
  as done where its cursor stands. A superseded revision's plan still expands: its messages are
  sent where they are due, and its successor's deliveries wait until this plan is done (claims.py)
  and then, per address, until the superseded message is over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, and_, bindparam, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from notify.audience import per_address, recipients_reached
from notify.dispatch import outbox, priority, routing
from notify.extensions import db
from notify.models import Delivery, DispatchPlan, Recipient, Revision
from notify.models.dispatch_plans import PlanStatus
from notify.row_counts import rows_written


def write_plan(revision: Revision, now: datetime) -> DispatchPlan | None:
    """The plan for the revision's large audience, in the publish transaction; None when the
    responders' deliveries are the whole audience. Bounded work: one read of the highest
    recipient id and one row."""
    groups = outbox.audience_split(revision).large
    if not groups:
        return None
    plan = DispatchPlan(
        revision_id=revision.id,
        group_ids=groups,
        max_recipient_id=int(db.session.scalar(select(func.max(Recipient.id))) or 0),
        cursor=0,
        status=PlanStatus.EXPANDING,
        rows_written=0,
        created_at=now,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def expand_next(worker: str, now: datetime, *, chunk: int, lease: timedelta) -> int:
    """Claim one open plan under a lease and write its next chunk, in one transaction.
    Returns the deliveries written (0 when there is no plan this worker may expand).

    A chunk whose ids hold nobody of the plan (a warning for two townships, say, skips most
    subscribers) is committed and the next one taken at once: an executor told "nothing written"
    would wait a poll interval per empty chunk."""
    while True:
        written, more = _expand_one(worker, now, chunk=chunk, lease=lease)
        if written or not more:
            return written


def _expand_one(worker: str, now: datetime, *, chunk: int, lease: timedelta) -> tuple[int, bool]:
    """One chunk: (deliveries written, whether the plan has chunks left)."""
    p = DispatchPlan
    found = db.session.execute(
        select(p.id, p.revision_id, p.group_ids).where(_claimable(worker, now)).order_by(p.id).limit(1)
    ).first()
    if found is None:
        db.session.commit()  # a read only: no write lock taken, SQLite's writers are not held up
        return 0, False
    # The chunk's statement is built, and all it needs of the revision read, before the claim,
    # which on SQLite takes the write lock until the commit; the key range is bound after it.
    revision = db.session.get_one(Revision, found.revision_id)
    ends = outbox.expiry(revision)
    chunk_rows = recipients_reached(
        revision,
        groups=found.group_ids,
        ids=(bindparam("after", type_=BigInteger), bindparam("up_to", type_=BigInteger)),
    ).where(Recipient.channel != routing.ROBOT_CHANNEL)
    # The WHERE keeps SQLite from reading ON CONFLICT as the ON of a join (its documented rule).
    source = outbox.warning_rows(revision, priority.for_public(revision)).source(per_address(chunk_rows), now)
    insert = _insert_new(Delivery.__table__).from_select(outbox.NUMBER_COLUMNS, source.where(true()))
    claimed = _claim(found.id, worker, now, lease)
    if claimed is None:  # another worker took it between the read and the claim
        db.session.rollback()
        return 0, False
    plan_id, cursor, last = claimed
    if ends is not None and ends <= now:
        _finish(plan_id, cursor, 0, now)
        db.session.commit()
        return 0, False
    upper = min(cursor + chunk, last)
    statement = outbox.counted(insert.on_conflict_do_nothing())
    written = rows_written(db.session.execute(statement, {"after": cursor, "up_to": upper}))
    if upper >= last:
        _finish(plan_id, upper, written, now)
    else:
        db.session.execute(
            update(p)
            .where(p.id == plan_id)
            .values(cursor=upper, rows_written=p.rows_written + written)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return written, upper < last


def open_plans() -> int:
    """Plans with chunks left: work for the executors even when no delivery is pending yet."""
    p = DispatchPlan
    return int(db.session.scalar(select(func.count()).where(p.status == PlanStatus.EXPANDING)) or 0)


def _claimable(worker: str, now: datetime):
    p = DispatchPlan
    return and_(
        p.status == PlanStatus.EXPANDING,
        or_(p.lease_owner.is_(None), p.lease_expires_at < now, p.lease_owner == worker),
    )


def _claim(plan_id: int, worker: str, now: datetime, lease: timedelta) -> tuple[int, int, int] | None:
    p = DispatchPlan
    candidate = select(p.id).where(p.id == plan_id, _claimable(worker, now))
    if db.session.get_bind().dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    row = db.session.execute(
        update(p)
        .where(p.id.in_(candidate.scalar_subquery()))
        .values(lease_owner=worker, lease_expires_at=now + lease)
        .returning(p.id, p.cursor, p.max_recipient_id)
        .execution_options(synchronize_session=False)
    ).first()
    return None if row is None else (int(row[0]), int(row[1]), int(row[2]))


def _finish(plan_id: int, cursor: int, written: int, now: datetime) -> None:
    p = DispatchPlan
    db.session.execute(
        update(p)
        .where(p.id == plan_id)
        .values(
            cursor=cursor,
            rows_written=p.rows_written + written,
            status=PlanStatus.DONE,
            finished_at=now,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def _insert_new(table):
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
