"""Reads of warnings and revisions for the public site and the console (no writes here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notify.extensions import db
from notify.lifecycle.transitions import approver_role
from notify.models import AlertKind, AuditEvent, Jurisdiction, Revision, User, Warning


def jurisdiction_by_code(code: str) -> Jurisdiction | None:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


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
    """Pending revisions this user's role may decide, excluding their own proposals.

    The approver depends on both levels of a change (a downgrade from red is the commander's), so
    it is decided per revision; a jurisdiction has a handful of pending revisions at most."""
    rows = db.session.scalars(
        select(Revision)
        .join(Warning)
        .where(Warning.jurisdiction_id == user.jurisdiction_id, Revision.state == "pending_approval")
        .order_by(Revision.submitted_at)
    ).all()
    return [
        r for r in rows if approver_role(r) == user.role and user.id not in (r.author_id, r.submitted_by_id)
    ]


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


def roles_of(user_ids: set[int]) -> dict[int, str]:
    """User id → role, for naming what each actor of a timeline is."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.role).where(User.id.in_(user_ids)))
    return {user_id: role for user_id, role in rows}
