"""Applying status callbacks and receipts: a delivery's status only ever moves forward.

Gateways report out of order (Twilio may post `delivered` before `sent`) and re-push (Aliyun
re-sends a receipt it thinks we missed). Each report is one UPDATE that matches only rows whose
current status ranks lower than the reported one, so a late or repeated report changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from notify.channels.base import ReportedStatus, StatusReport
from notify.extensions import db
from notify.models import Delivery, UnmatchedReport
from notify.models.deliveries import Status
from notify.row_counts import rows_written

TABLE = Delivery.__table__


def _lower_than(status: str) -> tuple[str, ...]:
    rank = Status.RANK[status]
    return tuple(s for s, r in Status.RANK.items() if r < rank)


def apply(report: StatusReport, *, now: datetime) -> str:
    """Apply one report; returns 'applied', 'stale' (the row is already further on) or
    'unknown' (no delivery matches).

    A report moves only a delivery handed over to the reporting gateway: one holding the
    message id that gateway gave when it accepted it (a message never sent holds none). The
    delivery id a report may carry (our callback URL's, Aliyun's OutId) must agree as well.
    So a forged or misrouted report cannot mark a waiting message delivered, which would keep
    it from ever being sent. A report that overtakes the worker's own write of the message id
    is 'unknown' here; the callers keep it for later (keep_for_later)."""
    if not report.provider_id:
        raise ValueError("a report must name the gateway's message id")
    match = TABLE.c.provider_id == report.provider_id
    if report.gateway:
        match &= TABLE.c.gateway == report.gateway
    if report.delivery_id is not None:
        match &= TABLE.c.id == report.delivery_id
    elif report.address:
        match &= TABLE.c.address == report.address
    # Twilio's queued/accepted/sending all mean "the gateway has it": our `accepted`.
    status = report.status if report.status in Status.RANK else Status.ACCEPTED
    final = status in Status.FINAL
    values = {
        "status": status,
        "updated_at": now,
        "accepted_at": func.coalesce(TABLE.c.accepted_at, now),
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if final:
        values["finished_at"] = report.at or now
    if report.code:
        values["error_code"] = report.code[:40]
        values["error_reason"] = report.reason[:300]
    stmt = update(TABLE).where(match, TABLE.c.status.in_(_lower_than(status))).values(**values)
    # Under READ COMMITTED a row the worker is writing right now (its BizId not yet committed)
    # is invisible to the UPDATE but visible to the next statement: look again before calling
    # the report stale, and keep it for later if the row keeps moving.
    for _ in range(3):
        if rows_written(db.session.execute(stmt)):
            return "applied"
        current = db.session.execute(
            select(TABLE.c.status).where(match).order_by(TABLE.c.id).limit(1)
        ).scalar()
        if current is None:
            return "unknown"
        if Status.RANK.get(current, 0) >= Status.RANK[status]:
            return "stale"
    return "unknown"


# How long a kept receipt keeps the Celery poll chain alive (claims.outstanding): a worker's
# write of the message id lands within seconds; one still unmatched after this is a stray, and
# the housekeeping of the next dispatch round applies or forgets it.
KEEP_POLLING = timedelta(minutes=10)


def keep_for_later(report: StatusReport, *, gateway: str, now: datetime) -> UnmatchedReport:
    kept = UnmatchedReport(
        gateway=gateway,
        provider_id=report.provider_id,
        address=report.address,
        status=report.status,
        code=report.code,
        reason=report.reason[:300],
        reported_at=report.at,
        received_at=now,
    )
    db.session.add(kept)
    return kept


def recheck(kept: list[UnmatchedReport], *, now: datetime) -> int:
    """Apply again, after the caller committed them, the receipts it has just kept.

    The worker's write of the message id may have committed between the callback's first
    apply and its commit of the kept row; a poll that ran in that gap saw neither, so without
    this look the receipt would wait for the next publication's housekeeping. Returns how many
    were settled."""
    settled = 0
    try:
        for row in kept:
            if apply(_report_of(row), now=now) != "unknown":
                db.session.delete(row)
                settled += 1
        db.session.commit()
    except OperationalError:
        # A lock race with a worker: the rows stay kept, and the housekeeping applies them.
        db.session.rollback()
        return 0
    return settled


def waiting(now: datetime) -> int:
    """Kept receipts young enough that their delivery's write is still expected."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(UnmatchedReport)
            .where(UnmatchedReport.received_at > now - KEEP_POLLING)
        )
        or 0
    )


def _report_of(row: UnmatchedReport) -> StatusReport:
    return StatusReport(
        # Stored from a StatusReport by keep_for_later(), so it is one of the reported statuses.
        status=cast(ReportedStatus, row.status),
        provider_id=row.provider_id,
        address=row.address,
        code=row.code,
        reason=row.reason,
        at=row.reported_at,
        gateway=row.gateway,
    )


def retry_unmatched(
    now: datetime, *, after: int = 0, limit: int = 1000, keep_for: timedelta = timedelta(hours=1)
) -> tuple[int, int]:
    """Apply kept receipts whose delivery has been recorded since; forget those too old.

    Works through the table `limit` rows at a time from the id `after`, so receipts that stay
    unmatched for a while (a resent message's first BizId) never hide the ones behind them.
    Returns (how many were settled, the id to go on from: 0 when the end was reached)."""
    kept = db.session.scalars(
        select(UnmatchedReport).where(UnmatchedReport.id > after).order_by(UnmatchedReport.id).limit(limit)
    ).all()
    settled = 0
    # One short transaction per receipt, so this never holds many delivery rows at once
    # while receipt pushes and workers write the same table.
    for row in kept:
        if apply(_report_of(row), now=now) != "unknown" or now - row.received_at > keep_for:
            db.session.delete(row)
            settled += 1
        db.session.commit()
    return settled, (kept[-1].id if len(kept) == limit else 0)
