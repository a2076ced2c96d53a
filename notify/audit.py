"""Writing audit events. Every action of a person goes through record()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request

from notify import clock
from notify.extensions import db
from notify.models import AuditEvent, User


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
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it records)."""
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
    )
    if has_request_context():
        event.ip = (request.remote_addr or "")[:64]
        event.user_agent = (request.user_agent.string or "")[:300]
    db.session.add(event)
    return event
