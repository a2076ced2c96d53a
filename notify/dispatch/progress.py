"""Read queries for the console's dispatch page: counts, a timeline, the per-address log.

A dispatch may hold a million rows, so everything here is one aggregate statement (GROUP BY)
or one page of rows (keyset on the primary key); nothing loads a revision's deliveries whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Integer, case, cast, func, literal, select, union_all, update

from notify import clock
from notify.extensions import db
from notify.models import Delivery, DispatchPlan, GatewayEvent
from notify.models.deliveries import Status
from notify.models.dispatch_plans import PlanStatus
from notify.row_counts import rows_written
from notify.screens import status as screen_status

PAGE_SIZE = 50
# Bucket widths for the chart, narrowest first; the first that keeps the chart under
# MAX_BUCKETS points is used, so a 3-minute test dispatch and a 3-hour one both read well.
BUCKET_SECONDS = (10, 60, 300, 900, 3600)
MAX_BUCKETS = 120
FAILED = (Status.UNDELIVERED, Status.FAILED, Status.DEAD, Status.EXPIRED)
# Shown, never stored: a screen delivery waiting on a screen that is offline or never reported.
UNREACHABLE = "unreachable"
# The columns of the page's tables, in the one order the server renders them and sends them to
# the page's script for its redraws (a JSON object's keys would come back sorted).
SHOWN_STATUSES = (*Status.ALL, UNREACHABLE)


def status_counts(revision_id: int) -> dict:
    """Counts per status, per channel and per gateway: one GROUP BY over the revision's rows."""
    rows = db.session.execute(
        select(Delivery.status, Delivery.channel, Delivery.gateway, func.count())
        .where(Delivery.revision_id == revision_id)
        .group_by(Delivery.status, Delivery.channel, Delivery.gateway)
    ).all()
    by_status = {s: 0 for s in Status.ALL}
    by_channel: dict[str, dict[str, int]] = {}
    by_gateway: dict[str, dict[str, int]] = {}
    total = 0
    for status, channel, gateway, n in rows:
        total += n
        by_status[status] = by_status.get(status, 0) + n
        for table, key in ((by_channel, channel), (by_gateway, gateway or "—")):
            table.setdefault(key, {}).setdefault(status, 0)
            table[key][status] += n
    final = sum(by_status[s] for s in Status.FINAL)
    plan = expansion(revision_id)
    return {
        "total": total,
        "final": final,
        # Not done while the large audience is still being written, whatever the rows say.
        "done": total > 0 and final == total and not plan["expanding"],
        "expansion": plan,
        "by_status": by_status,
        "by_channel": by_channel,
        "by_gateway": by_gateway,
    }


def expansion(revision_id: int) -> dict:
    """How far the executors have written the large audience's deliveries (notify.dispatch.plans):
    until they are done, the total above is not yet the whole audience."""
    plan = db.session.execute(
        select(
            DispatchPlan.status, DispatchPlan.cursor, DispatchPlan.max_recipient_id, DispatchPlan.rows_written
        ).where(DispatchPlan.revision_id == revision_id)
    ).one_or_none()
    if plan is None:
        return {"expanding": False, "percent": 100.0, "written": 0}
    status, cursor, last, written = plan
    expanding = status == PlanStatus.EXPANDING
    percent = 100.0 if not expanding or not last else round(100 * min(cursor, last) / last, 1)
    return {"expanding": expanding, "percent": percent, "written": int(written)}


def shown_counts(revision_id: int, now: datetime) -> dict:
    """status_counts() as the dispatch page shows them.

    A screen delivery whose screen is offline, or has never reported, is counted as unreachable
    instead of under its own status, and counts as settled for the progress: such a screen would
    otherwise hold the dispatch below 100 % for ever with no reason given. The screens are listed
    (`unreachable_screens`) so that the page can say why and link to each.
    """
    counts = status_counts(revision_id)
    by_status = {**counts["by_status"], UNREACHABLE: 0}
    tables = {
        "by_channel": {key: dict(row) for key, row in counts["by_channel"].items()},
        "by_gateway": {key: dict(row) for key, row in counts["by_gateway"].items()},
    }
    shown = []
    for item in screen_status.unreachable_deliveries(revision_id, now):
        # Two statements, so a delivery may have moved in between; it is then counted where it went.
        if by_status.get(item.status, 0) <= 0:
            continue
        shown.append(item)
        by_status[item.status] -= 1
        by_status[UNREACHABLE] += 1
        for name, key in (("by_channel", item.channel), ("by_gateway", item.gateway or "—")):
            row = tables[name].setdefault(key, {})
            row[item.status] = row.get(item.status, 0) - 1
            row[UNREACHABLE] = row.get(UNREACHABLE, 0) + 1
    settled = counts["final"] + len(shown)
    return {
        **counts,
        **tables,
        "by_status": by_status,
        "statuses": list(SHOWN_STATUSES),
        "unreachable": len(shown),
        "settled": settled,
        "done": counts["total"] > 0 and settled == counts["total"] and not counts["expansion"]["expanding"],
        "unreachable_screens": shown,
    }


def period(revision_id: int) -> tuple[datetime | None, datetime | None]:
    """First row written and last row touched: the span of the dispatch."""
    first, last = db.session.execute(
        select(func.min(Delivery.created_at), func.max(Delivery.updated_at)).where(
            Delivery.revision_id == revision_id
        )
    ).one()
    return _aware(first), _aware(last)


def _aware(value):
    # Aggregates bypass the column type, so SQLite hands back naive strings or datetimes.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _bucket(column, seconds: int):
    """Start of the bucket (seconds since the epoch) a time falls in, on either database.

    SQLite stores UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' text, which strftime('%s') reads as UTC;
    PostgreSQL's timestamptz gives its epoch with extract(). Integer division floors both.
    """
    if db.engine.dialect.name == "sqlite":
        epoch = cast(func.strftime("%s", column), Integer)
    else:
        epoch = cast(func.floor(func.extract("epoch", column)), BigInteger)
    # `//` on integers is SQL integer division on both (`/` would be true division in SA 2).
    return (epoch // seconds) * seconds


def bucket_width(first: datetime | None, last: datetime | None) -> int:
    span = (last - first).total_seconds() if first and last else 0
    return next((s for s in BUCKET_SECONDS if span / s <= MAX_BUCKETS), BUCKET_SECONDS[-1])


def timeline(revision_id: int, seconds: int) -> list[dict]:
    """Accepted, delivered and failed per time bucket: a delivery counts as accepted when the
    gateway took it and once more when it ended. One GROUP BY over a UNION ALL of both steps."""
    accepted = select(
        _bucket(Delivery.accepted_at, seconds).label("t"), literal("accepted").label("series")
    ).where(Delivery.revision_id == revision_id, Delivery.accepted_at.is_not(None))
    ended = select(
        _bucket(Delivery.finished_at, seconds).label("t"),
        case((Delivery.status == Status.DELIVERED, literal("delivered")), else_=literal("failed")).label(
            "series"
        ),
    ).where(
        Delivery.revision_id == revision_id,
        Delivery.finished_at.is_not(None),
        Delivery.status.in_((Status.DELIVERED, *FAILED)),
    )
    steps = union_all(accepted, ended).subquery()
    rows = db.session.execute(
        select(steps.c.t, steps.c.series, func.count())
        .group_by(steps.c.t, steps.c.series)
        .order_by(steps.c.t)
    ).all()
    points: dict[int, dict] = {}
    for t, series, n in rows:
        point = points.setdefault(int(t), {"t": int(t), "accepted": 0, "delivered": 0, "failed": 0})
        point[series] += n
    return [points[t] for t in sorted(points)]


def gateway_events(first: datetime | None, last: datetime | None, limit: int = 100) -> list[GatewayEvent]:
    """Circuit openings, closings and failovers while the dispatch ran (until now if it runs)."""
    if first is None:
        return []
    query = select(GatewayEvent).where(GatewayEvent.at >= first)
    if last is not None:
        query = query.where(GatewayEvent.at <= max(last, clock.now()))
    return list(db.session.scalars(query.order_by(GatewayEvent.at, GatewayEvent.id).limit(limit)))


@dataclass
class LogQuery:
    exact: str | None = None  # a whole E.164 number
    suffix: str | None = None  # its last digits
    status: str | None = None
    after: int = 0  # keyset: the last id of the previous page


def log_page(revision_id: int, q: LogQuery) -> tuple[list[Delivery], int | None]:
    """One page of the per-address log in id order, and the id to continue after (or None)."""
    query = select(Delivery).where(Delivery.revision_id == revision_id, Delivery.id > q.after)
    if q.exact:
        query = query.where(Delivery.address == q.exact)
    elif q.suffix:
        query = query.where(Delivery.address.like(f"%{q.suffix}"))
    if q.status:
        query = query.where(Delivery.status == q.status)
    rows = list(db.session.scalars(query.order_by(Delivery.id).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].id if more else None)


def replay_dead(revision_id: int, now: datetime | None = None) -> int:
    """Dead letters back to the outbox, due now, with a fresh retry budget: one UPDATE."""
    now = now or clock.now()
    table = Delivery.__table__
    result = db.session.execute(
        update(table)
        .where(table.c.revision_id == revision_id, table.c.status == Status.DEAD)
        .values(
            status=Status.PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_owner=None,
            lease_expires_at=None,
            finished_at=None,
            updated_at=now,
        )
    )
    return rows_written(result)
