"""Response days: which warnings owe reports on a given day, and the signed filing links.

A response day is a local calendar day whose 10:00 deadline covers the day before; a warning
owes reports on day D when its response was in force at any time on D-1. Exercises owe none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.models import DailyReport, DutyContact, MemberUnit, ResponseDay, Revision, Warning
from notify.timed import zone

DUE_HOUR, DUE_MINUTE = 10, 0
REMIND_HOUR, REMIND_MINUTE = 9, 30
# A link stays usable for a late report until the next day's deadline has passed too.
LINK_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime | None  # None while the response is in force


def response_window(warning: Warning) -> Window | None:
    published = [r for r in warning.revisions if r.state == "published"]
    if not published:
        return None
    first = published[0]
    start = first.response_start_at or first.publication_time
    lift = next((r for r in published if r.action == "lift"), None)
    return Window(start, lift.publication_time if lift is not None else None)


def revision_on(warning: Warning, moment: datetime) -> Revision | None:
    """The revision in force at a moment (the last one published by then, lifting excluded)."""
    published = [
        r
        for r in warning.revisions
        if r.state == "published" and r.publication_time <= moment and r.action != "lift"
    ]
    return published[-1] if published else None


def owes_report(warning: Warning, day: date) -> bool:
    if warning.is_exercise:
        return False
    window = response_window(warning)
    if window is None:
        return False
    since, until = zone.at(day - timedelta(days=1), 0), zone.at(day, 0)
    return window.start < until and (window.end is None or window.end > since)


def warnings_reporting_on(day: date) -> list[Warning]:
    candidates = db.session.scalars(
        select(Warning)
        .where(Warning.is_exercise.is_(False), Warning.status.in_(("active", "lifted")))
        .order_by(Warning.id)
    )
    return [w for w in candidates if owes_report(w, day)]


def ensure_day(warning: Warning, day: date) -> ResponseDay:
    row = db.session.scalar(
        select(ResponseDay).where(ResponseDay.warning_id == warning.id, ResponseDay.day == day)
    )
    if row is None:
        in_force = revision_on(warning, zone.at(day, 0)) or warning.current
        row = ResponseDay(
            warning_id=warning.id,
            day=day,
            due_at=zone.at(day, DUE_HOUR, DUE_MINUTE),
            level_id=in_force.level_id if in_force is not None else None,
        )
        db.session.add(row)
        db.session.flush()
    return row


def active_units(jurisdiction_id: int) -> list[MemberUnit]:
    return list(
        db.session.scalars(
            select(MemberUnit)
            .where(MemberUnit.jurisdiction_id == jurisdiction_id, MemberUnit.active.is_(True))
            .order_by(MemberUnit.position)
        )
    )


def liaison_phones(jurisdiction_id: int) -> dict[int, list[str]]:
    """Member unit id → its liaisons' mobiles."""
    rows = db.session.execute(
        select(DutyContact.member_unit_id, DutyContact.phone).where(
            DutyContact.jurisdiction_id == jurisdiction_id,
            DutyContact.duty == "unit_liaison",
            DutyContact.active.is_(True),
            DutyContact.member_unit_id.is_not(None),
        )
    ).all()
    phones: dict[int, list[str]] = {}
    for unit_id, number in rows:
        assert unit_id is not None  # the query leaves out contacts of no unit
        phones.setdefault(unit_id, []).append(number)
    return phones


def filed_unit_ids(day_row: ResponseDay) -> set[int]:
    return set(
        db.session.scalars(
            select(DailyReport.member_unit_id).where(DailyReport.response_day_id == day_row.id)
        )
    )


def missing_units(day_row: ResponseDay) -> list[MemberUnit]:
    filed = filed_unit_ids(day_row)
    return [u for u in active_units(day_row.warning.jurisdiction_id) if u.id not in filed]


# Signed links: a unit files without a console account, through a link that names the warning,
# the unit and the response day, sent only to that unit's liaisons.


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="daily-report-link")


def token_for(day_row: ResponseDay, unit: MemberUnit) -> str:
    # A list, not a dict: the link goes out by SMS, where every character counts.
    return _serializer().dumps([day_row.warning_id, unit.id, day_row.day.strftime("%Y%m%d")])


class LinkInvalid(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def read_token(token: str) -> tuple[ResponseDay, MemberUnit]:
    try:
        data = _serializer().loads(token, max_age=5 * 24 * 3600)
        warning_id, unit_id, day = int(data[0]), int(data[1]), datetime.strptime(data[2], "%Y%m%d").date()
    except SignatureExpired:
        raise LinkInvalid(expired=True) from None
    except (BadSignature, IndexError, KeyError, TypeError, ValueError):
        raise LinkInvalid() from None
    warning = db.session.get(Warning, warning_id)
    unit = db.session.get(MemberUnit, unit_id)
    if warning is None or unit is None or unit.jurisdiction_id != warning.jurisdiction_id:
        raise LinkInvalid()
    if clock.now() > zone.at(day, DUE_HOUR, DUE_MINUTE) + LINK_GRACE:
        raise LinkInvalid(expired=True)
    return ensure_day(warning, day), unit


LINK_PREFIX = "/r/"  # short, as it goes out by SMS; notify.daily_reports.views serves it


def link_for(day_row: ResponseDay, unit: MemberUnit) -> str:
    # Built by hand: jobs make links outside any request, where url_for has no server name.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + LINK_PREFIX + token_for(day_row, unit)
