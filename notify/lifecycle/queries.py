"""Reads of warnings and revisions for the public site and the console (no writes here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notify.extensions import db
from notify.models import AlertKind, AuditEvent, Jurisdiction, Level, Revision, User, Warning


def jurisdiction_by_code(code: str) -> Jurisdiction | None:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def active_warnings(jurisdiction_id: int) -> list[tuple[Warning, Revision]]:
    """Published, unlifted warnings with their current revision, highest level first."""
    warnings = db.session.scalars(
        select(Warning)
        .where(Warning.jurisdiction_id == jurisdiction_id, Warning.status == "active")
        .options(selectinload(Warning.revisions).selectinload(Revision.snapshot))
    ).all()
    pairs = [(w, w.current) for w in warnings if w.current is not None]
    pairs.sort(key=lambda p: (-p[1].snapshot.content["level"]["rank"], p[1].published_at))
    return pairs


def published_history(jurisdiction_id: int, limit: int = 200) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .join(Warning)
            .where(Warning.jurisdiction_id == jurisdiction_id, Revision.state == "published")
            .options(selectinload(Revision.snapshot))
            .order_by(Revision.published_at.desc())
            .limit(limit)
        )
    )


def warning_by_reference(reference: str) -> Warning | None:
    return db.session.scalar(select(Warning).where(Warning.reference == reference))


def console_warnings(jurisdiction_id: int) -> list[Warning]:
    return list(
        db.session.scalars(
            select(Warning)
            .where(Warning.jurisdiction_id == jurisdiction_id)
            .options(selectinload(Warning.revisions))
            .order_by(Warning.created_at.desc())
        )
    )


def approval_queue(user: User) -> list[Revision]:
    """Pending revisions this user's role may decide, excluding their own proposals."""
    rows = db.session.scalars(
        select(Revision)
        .join(Warning)
        .join(Level, Revision.level_id == Level.id)
        .where(
            Warning.jurisdiction_id == user.jurisdiction_id,
            Revision.state == "pending_approval",
            Level.approver_role == user.role,
        )
        .order_by(Revision.submitted_at)
    ).all()
    return [r for r in rows if user.id not in (r.author_id, r.submitted_by_id)]


def timeline(warning: Warning) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.warning_id == warning.id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def kinds(jurisdiction_id: int) -> list[AlertKind]:
    return list(
        db.session.scalars(
            select(AlertKind)
            .where(AlertKind.jurisdiction_id == jurisdiction_id)
            .options(selectinload(AlertKind.levels))
            .order_by(AlertKind.position)
        )
    )
