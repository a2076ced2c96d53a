"""Helpers for the timed jobs' tests: the job table, audit events, queued messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from notify.extensions import db
from notify.models import AuditEvent, Delivery


def stored_jobs() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(text("SELECT id FROM scheduled_jobs ORDER BY id")))


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def messages(purpose: str, channel: str = "sms") -> list[Delivery]:
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.purpose == purpose, Delivery.channel == channel)
            .order_by(Delivery.id)
        )
    )


@pytest.fixture(autouse=True)
def _restarted_scheduler(fresh_scheduler):
    """Every test here starts as after a restart: no store scheduler kept from the last one."""
