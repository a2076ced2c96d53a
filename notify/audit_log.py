"""Reading the audit trail: one jurisdiction's events, filtered, newest first, a page at a time.

Pages are keyset pages (after the last event shown, by time and id), so that page 1,000 costs
what page 1 does and an event recorded meanwhile never shifts a page. Every query is bound to a
jurisdiction: a county's administrator sees their county's events only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select

from notify.extensions import db
from notify.models import AuditEvent, Base, User, Warning

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    jurisdiction_id: int
    # The person acting, and refused log-ins under their user name (plain values: an export
    # reads on after the request's session has ended).
    user_id: int | None = None
    username: str | None = None
    action: str | None = None
    start: datetime | None = None  # UTC, inclusive
    end: datetime | None = None  # UTC, exclusive


def _query(f: AuditFilter) -> Select:
    e = AuditEvent
    query = select(e).where(e.jurisdiction_id == f.jurisdiction_id)
    if f.user_id is not None:
        # A failed log-in has no actor, only the name that was typed: it belongs to that user.
        query = query.where(
            or_(e.actor_id == f.user_id, and_(e.actor_id.is_(None), e.actor_name == (f.username or "")))
        )
    if f.action:
        query = query.where(e.action == f.action)
    if f.start is not None:
        query = query.where(e.occurred_at >= f.start)
    if f.end is not None:
        query = query.where(e.occurred_at < f.end)
    return query.order_by(e.occurred_at.desc(), e.id.desc())


def _after(query: Select, last: AuditEvent) -> Select:
    e = AuditEvent
    return query.where(
        or_(e.occurred_at < last.occurred_at, and_(e.occurred_at == last.occurred_at, e.id < last.id))
    )


def event_in(jurisdiction_id: int, event_id: int) -> AuditEvent | None:
    """The event a page continues after, if it is one of this jurisdiction's."""
    event = db.session.get(AuditEvent, event_id)
    return event if event is not None and event.jurisdiction_id == jurisdiction_id else None


def page(
    f: AuditFilter, after: AuditEvent | None = None, size: int = PAGE_SIZE
) -> tuple[list[AuditEvent], bool]:
    """One page of events, and whether another follows."""
    query = _query(f)
    if after is not None:
        query = _after(query, after)
    rows = list(db.session.scalars(query.limit(size + 1)))
    return rows[:size], len(rows) > size


def every(f: AuditFilter, chunk: int = 500) -> Iterator[AuditEvent]:
    """Every matching event, newest first, read a chunk at a time (for the CSV export)."""
    last = None
    while True:
        rows, more = page(f, last, chunk)
        yield from rows
        for row in rows:  # a long export must not keep every event it has written
            db.session.expunge(row)
        if not more:
            return
        last = rows[-1]


def actions_in(jurisdiction_id: int) -> list[str]:
    """The actions recorded in this jurisdiction, for the filter's choices."""
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.jurisdiction_id == jurisdiction_id).distinct()
        )
    )


def users_in(jurisdiction_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.jurisdiction_id == jurisdiction_id).order_by(User.username)
        )
    )


def user_in(jurisdiction_id: int, user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.jurisdiction_id == jurisdiction_id else None


def _model(name: str) -> type | None:
    for mapper in Base.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    return None


def subject_of(event: AuditEvent) -> object | None:
    """The object the event is about, as it is now (None when it is gone)."""
    if not event.subject_type or event.subject_id is None:
        return None
    model = _model(event.subject_type)
    return db.session.get(model, event.subject_id) if model is not None else None


def warning_of(event: AuditEvent) -> Warning | None:
    return db.session.get(Warning, event.warning_id) if event.warning_id is not None else None


def load_subjects(events: list[AuditEvent]) -> None:
    """Read the subjects and warnings of a page of events in one query per kind, so that
    describing each event then finds them in the session instead of asking one by one."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.subject_type and e.subject_id is not None:
            wanted.setdefault(e.subject_type, set()).add(e.subject_id)
        if e.warning_id is not None:
            wanted.setdefault("Warning", set()).add(e.warning_id)
    for name, ids in wanted.items():
        model = _model(name)
        if model is not None:
            db.session.scalars(select(model).where(model.id.in_(ids))).all()  # type: ignore[attr-defined]
