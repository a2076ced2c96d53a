"""Reads of tip-offs for the public site and the console (no writes here)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notify.extensions import db
from notify.models import AuditEvent, Clarification, Role, Tipoff, User, Warning
from notify.tipoffs.deadlines import overdue_condition

TICKET_PATTERN = re.compile(r"JB-\d{8}-\d{4,6}")


def by_number(number: str) -> Tipoff | None:
    number = (number or "").strip().upper()
    if not TICKET_PATTERN.fullmatch(number):  # not a number we issue: no need to ask the database
        return None
    return db.session.scalar(select(Tipoff).where(Tipoff.ticket_number == number))


def console_list(
    user: User, now: datetime, *, state: str = "", overdue_only: bool = False, limit: int = 500
) -> list[Tipoff]:
    """A member unit sees only what was referred to it; the office and commanders see all."""
    query = select(Tipoff).where(Tipoff.jurisdiction_id == user.jurisdiction_id)
    if user.role == Role.MEMBER_UNIT:
        query = query.where(
            Tipoff.assigned_unit_id == user.member_unit_id, Tipoff.assigned_unit_id.is_not(None)
        )
    if state:
        query = query.where(Tipoff.state == state)
    if overdue_only:
        query = query.where(overdue_condition(now))
    return list(
        db.session.scalars(
            query.options(selectinload(Tipoff.township), selectinload(Tipoff.assigned_unit))
            .order_by(Tipoff.received_at.desc())
            .limit(limit)
        )
    )


def may_see(user: User, tipoff: Tipoff) -> bool:
    if tipoff.jurisdiction_id != user.jurisdiction_id:
        return False
    if user.role in (Role.OFFICE_STAFF, Role.DEPUTY_COMMANDER, Role.COMMANDER):
        return True
    return (
        user.role == Role.MEMBER_UNIT
        and user.member_unit_id is not None
        and user.member_unit_id == tipoff.assigned_unit_id
    )


def trail(tipoff: Tipoff) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "Tipoff", AuditEvent.subject_id == tipoff.id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def clarifications(jurisdiction_id: int, limit: int = 50) -> list[Clarification]:
    return list(
        db.session.scalars(
            select(Clarification)
            .where(Clarification.jurisdiction_id == jurisdiction_id)
            .order_by(Clarification.published_at.desc())
            .limit(limit)
        )
    )


def clarifications_for_warning(warning: Warning) -> list[Clarification]:
    return list(
        db.session.scalars(
            select(Clarification)
            .where(Clarification.warning_id == warning.id)
            .order_by(Clarification.published_at.desc())
        )
    )
