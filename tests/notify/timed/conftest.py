"""Helpers for the timed jobs' tests: the job table, audit events, queued messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from notify.extensions import db
from notify.models import AuditEvent, Delivery, DutyContact
from notify.scheduling import runner


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
def fresh_scheduler(app):
    """Forget this process's store scheduler around each test, as a restart would."""

    def forget():
        store = app.extensions.pop(runner._STORE_EXT, None)
        if store is not None:
            store.shutdown(wait=False)

    forget()
    yield
    forget()


@pytest.fixture
def director(sample_jurisdiction):
    contact = DutyContact(
        jurisdiction_id=sample_jurisdiction.id, duty="office_director", name="周主任", phone="+8613900000001"
    )
    db.session.add(contact)
    db.session.commit()
    return contact
