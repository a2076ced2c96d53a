"""Claiming deliveries under a lease, so that a dead worker's batch is taken again.

A claim is one UPDATE … RETURNING: it marks up to `limit` due rows of one route as `sending`,
owned by the worker until the lease expires, the most urgent first (deliveries.priority, then
the order they were written). The rows are read in the order of the partial index
ix_deliveries_claimable (gateway, priority, id) over the pending and leased rows, so a claim takes
its batch off the front of the index instead of sorting every pending row. PostgreSQL skips rows
another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time, so its
UPDATE is already exclusive.
A row whose lease ran out (its worker was killed) is due again: at-least-once to the gateway,
with duplicates bounded by the one batch the dead worker may have handed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal_column, or_, select, update
from sqlalchemy.orm import aliased

from notify import clock
from notify.dispatch import after_publication, plans, reports, routing
from notify.extensions import db
from notify.models import Delivery, DispatchPlan
from notify.models.deliveries import Status
from notify.models.dispatch_plans import PlanStatus
from notify.row_counts import rows_written


@dataclass(frozen=True)
class Claimed:
    id: int
    revision_id: int | None
    address: str
    locale: str
    body: str | None
    attempts: int


def _status_in(*statuses: str):
    """`status IN ('pending', …)` with the values written out: SQLite and PostgreSQL prove a
    partial index usable from literals in the query, never from bound parameters."""
    values: list[ColumnElement[str]] = [literal_column(f"'{s}'") for s in statuses]
    return Delivery.status == values[0] if len(values) == 1 else Delivery.status.in_(values)


def claimable():
    """The partial index's own term (models.deliveries.CLAIMABLE_SQL)."""
    return _status_in(Status.PENDING, Status.SENDING)


def _due(route: str, now: datetime, ordering_hold: timedelta):
    d = Delivery
    before = aliased(Delivery)
    # The superseded revision's message to this address must be over first; a hand-over that
    # gets no report within the hold counts as over, so a lost receipt cannot block a red alert.
    predecessor_open = exists().where(
        before.revision_id == d.after_revision_id,
        before.channel == d.channel,
        before.address == d.address,
        or_(
            before.status.in_((Status.PENDING, Status.SENDING)),
            and_(before.status.in_(Status.HANDED_OVER), before.accepted_at > now - ordering_hold),
        ),
    )
    # Nor may it go while the superseded revision's plan is still writing rows: an address not
    # reached yet has no row for the test above to find.
    predecessor_expanding = exists().where(
        DispatchPlan.revision_id == d.after_revision_id, DispatchPlan.status == PlanStatus.EXPANDING
    )
    return and_(
        d.gateway == route,
        claimable(),
        d.channel.not_in(routing.PULL_CHANNELS),
        or_(
            and_(d.status == Status.PENDING, d.next_attempt_at <= now),
            and_(d.status == Status.SENDING, d.lease_expires_at < now),
        ),
        or_(d.expires_at.is_(None), d.expires_at > now),
        or_(d.after_revision_id.is_(None), and_(~predecessor_open, ~predecessor_expanding)),
    )


def due_routes(routes: list[str], now: datetime) -> set[str]:
    """Which of these routes have a row due: one read of index probes, no write.

    Lets idle routes cost the busy ones nothing: on SQLite an empty claim still takes the write
    lock, which the SMS workers need for their results."""
    if not routes:
        return set()
    d = Delivery
    probes = [
        exists()
        .where(
            d.gateway == route,
            claimable(),
            or_(
                and_(d.status == Status.PENDING, d.next_attempt_at <= now),
                and_(d.status == Status.SENDING, d.lease_expires_at < now),
            ),
        )
        .label(f"r{i}")
        for i, route in enumerate(routes)
    ]
    row = db.session.execute(select(*probes)).one()
    db.session.commit()
    return {route for route, due in zip(routes, row, strict=True) if due}


def next_batch(route: str, *, limit: int, now: datetime, ordering_hold: timedelta) -> Select:
    """The ids a claim on `route` takes: due rows, most urgent first, read in index order."""
    return (
        select(Delivery.id)
        .where(_due(route, now, ordering_hold))
        .order_by(Delivery.priority, Delivery.id)
        .limit(limit)
    )


def claim(
    route: str,
    *,
    limit: int,
    worker: str,
    lease: timedelta,
    now: datetime,
    ordering_hold: timedelta = timedelta(seconds=60),
) -> list[Claimed]:
    candidates = next_batch(route, limit=limit, now=now, ordering_hold=ordering_hold)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    elif db.session.execute(next_batch(route, limit=1, now=now, ordering_hold=ordering_hold)).first() is None:
        # SQLite: an UPDATE takes the one write lock even when it changes nothing, which an idle
        # worker polling would keep taking from the publication and the busy routes.
        db.session.commit()
        return []
    stmt = (
        update(Delivery)
        .where(Delivery.id.in_(candidates.scalar_subquery()))
        .values(status=Status.SENDING, lease_owner=worker, lease_expires_at=now + lease, updated_at=now)
        .returning(
            Delivery.id,
            Delivery.revision_id,
            Delivery.address,
            Delivery.locale,
            Delivery.body,
            Delivery.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(stmt).all()
    db.session.commit()
    return [Claimed(*row) for row in rows]


def expire_overdue(now: datetime) -> int:
    """Revisions that ran out before their messages went: those messages are not sent."""
    result = db.session.execute(
        update(Delivery)
        # Read off ix_deliveries_pending_expiry: only the rows already past their end.
        .where(_status_in(Status.PENDING), Delivery.expires_at <= now)
        .values(
            status=Status.EXPIRED,
            finished_at=now,
            updated_at=now,
            error_reason="the warning period ended before it could be sent",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rows_written(result)


def outstanding() -> int:
    """Rows an executor still has to do something with (due now or later, or under a lease),
    plans with chunks left to write (a dead expander's, once its lease runs out) and the rows
    the registered after-publication writers have still to write (enterprises' duty SMS), and
    receipts kept until their delivery's message id is written (the housekeeping applies them).

    Pull deliveries (screens) wait for their gateway's report, not for an executor."""
    # Plans and writers first: a chunk commits with its rows, so one read as done has its rows
    # there for the count below; read the other way round, a chunk committing in between would
    # leave both reads at nothing and the Celery poll chain would stop with work left.
    open_plans = plans.open_plans() + after_publication.pending()
    rows = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(claimable(), Delivery.channel.not_in(routing.PULL_CHANNELS))
    )
    return int(rows or 0) + open_plans + reports.waiting(clock.now())
