"""Writing audit events. Every action of a person goes through record()."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.models import AuditEvent, Integration, Jurisdiction, User, Warning

# The integration the current request acts through: every event recorded meanwhile, the domain's
# own (revision.submit, …) included, says so, without the domain having to know about the API.
_via_integration: ContextVar[Integration | None] = ContextVar("via_integration", default=None)


@contextmanager
def through(integration: Integration) -> Iterator[None]:
    """Events recorded inside this block were done through `integration`, not in the console."""
    token = _via_integration.set(integration)
    try:
        yield
    finally:
        _via_integration.reset(token)


def record(
    action: str,
    *,
    actor: User | None = None,
    subject: Any = None,
    warning_id: int | None = None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
    actor_name: str | None = None,
    at: datetime | None = None,
    jurisdiction_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it records).

    The event joins the trail of `jurisdiction_id`, or else of the county its actor, subject or
    warning belongs to (see _county).
    """
    via = _via_integration.get()
    event = AuditEvent(
        occurred_at=at or clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor_name if actor_name is not None else (actor.display_name if actor else ""),
        action=action,
        subject_type=type(subject).__name__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        warning_id=warning_id,
        summary=str(summary),
        detail=detail or {},
        via_integration_id=via.id if via is not None else None,
        jurisdiction_id=_county(jurisdiction_id, actor, subject, warning_id, action, actor_name),
    )
    if has_request_context():
        event.ip = (request.remote_addr or "")[:64]
        event.user_agent = (request.user_agent.string or "")[:300]
    db.session.add(event)
    return event


# How a subject leads to its county: most carry it, the rest through what they belong to.
_COUNTY_PATHS = (
    ("jurisdiction_id",),
    ("jurisdiction", "id"),
    ("warning", "jurisdiction_id"),
    ("revision", "warning", "jurisdiction_id"),
    ("response_day", "warning", "jurisdiction_id"),
    ("tipoff", "jurisdiction_id"),
    ("school", "jurisdiction_id"),
    ("kind", "jurisdiction_id"),
    ("group", "jurisdiction_id"),
    ("integration", "jurisdiction_id"),
)


def _county(
    given: int | None,
    actor: User | None,
    subject: Any,
    warning_id: int | None,
    action: str,
    actor_name: str | None,
) -> int | None:
    """The county whose trail an event joins; each county's administrator reads only their own."""
    if given is not None:
        return given
    if actor is not None:
        return actor.jurisdiction_id
    for path in _COUNTY_PATHS:
        found: Any = subject
        for name in path:
            found = getattr(found, name, None)
        if isinstance(found, int):
            return found
    if warning_id is not None:
        warning = db.session.get(Warning, warning_id)
        if warning is not None:
            return warning.jurisdiction_id
    if action.startswith("login") and actor_name:
        # A refused log-in has no actor, only the user name that was typed: that user's county.
        tried = db.session.scalar(select(User.jurisdiction_id).where(User.username == actor_name))
        if tried is not None:
            return tried
    # The platform's own events (the scheduler's, a citizen's tip-off without an account): the
    # county this site serves.
    return db.session.scalar(
        select(Jurisdiction.id).where(Jurisdiction.code == current_app.config["JURISDICTION_CODE"])
    )
