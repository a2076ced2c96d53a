"""A tip-off's two clocks: acceptance decided within 15 days, closed within 60 (plus one
extension of up to 30 days with a reason). Due times are stored on the ticket at submission."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from notify.extensions import db
from notify.lifecycle.deadlines import Deadline
from notify.models import Tipoff
from notify.tipoffs.transitions import FINAL

ACCEPTANCE_DAYS = 15
CLOSURE_DAYS = 60


def due_dates(received_at: datetime) -> tuple[datetime, datetime]:
    return received_at + timedelta(days=ACCEPTANCE_DAYS), received_at + timedelta(days=CLOSURE_DAYS)


def deadlines_for(tipoff: Tipoff, now: datetime) -> list[Deadline]:
    closure_label = (
        _l("Closed within 60 days (extended by %(days)d days)", days=tipoff.extension_days)
        if tipoff.extension_days
        else _l("Closed within 60 days")
    )
    return [
        Deadline(
            "acceptance",
            _l("Acceptance decided within 15 days"),
            tipoff.received_at,
            tipoff.acceptance_due_at,
            tipoff.decided_at,
            now,
        ),
        Deadline("closure", closure_label, tipoff.received_at, tipoff.closure_due_at, tipoff.closed_at, now),
    ]


def is_overdue(tipoff: Tipoff, now: datetime) -> bool:
    return any(d.status == "overdue" for d in deadlines_for(tipoff, now))


def overdue_condition(now: datetime):
    """SQL: tickets past a deadline that is still open."""
    return and_(
        Tipoff.state.not_in([s.value for s in FINAL]),
        or_(and_(Tipoff.decided_at.is_(None), Tipoff.acceptance_due_at < now), Tipoff.closure_due_at < now),
    )


def overdue(jurisdiction_id: int, now: datetime) -> list[Tipoff]:
    return list(
        db.session.scalars(
            select(Tipoff)
            .where(Tipoff.jurisdiction_id == jurisdiction_id, overdue_condition(now))
            .order_by(Tipoff.received_at)
        )
    )
