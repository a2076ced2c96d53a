"""Escalation: stored jobs remind silent schools' duty contacts after 30 minutes and report the
still-silent ones to the education bureau and their townships 30 minutes later."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade  # noqa: F401  (the second app below shares the migrated database)
from freezegun import freeze_time
from sqlalchemy import select

from notify import create_app, scheduling
from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models import AuditEvent, SchoolNotice
from notify.schools import acknowledge
from notify.schools import notices as school_notices
from notify.schools.escalation import escalate_schools
from tests.conftest import fresh, proposal, take_to
from tests.notify.schools.conftest import contacts, deliveries, notices, token_in

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
STAGE1, STAGE2 = T0 + timedelta(minutes=30), T0 + timedelta(minutes=60)


@pytest.fixture
def published(restart, yu_schools, sample_draft, sample_users):
    with freeze_time(T0):
        take_to(sample_draft, "published", sample_users)
    return sample_draft


def confirm(revision, school, at):
    fresh()
    notice = db.session.scalar(
        select(SchoolNotice).where(
            SchoolNotice.revision_id == revision.id, SchoolNotice.school_id == school.id
        )
    )
    assert acknowledge.acknowledge(notice, via="link", by="测试", now=at)
    db.session.commit()


def tick_at(at):
    with freeze_time(at):
        scheduling.tick()
    fresh()


def test_silent_schools_are_reminded_then_reported(published, yu_schools):
    on_time, late = yu_schools[:50], yu_schools[50:60]
    silent = yu_schools[60:]
    for school in on_time:
        confirm(published, school, T0 + timedelta(minutes=10))
    tick_at(STAGE1 - timedelta(seconds=1))
    assert deliveries(school_notices.REMINDER) == []

    tick_at(STAGE1 + timedelta(seconds=5))
    reminders = {d.address: d for d in deliveries(school_notices.REMINDER, published.id)}
    assert set(reminders) == {s.duty_phone for s in late + silent}
    school = late[0]
    body = reminders[school.duty_phone].body
    assert f"提醒：{school.name}尚未确认收到11月23日09:00发出的黄色预警学校通知" in body
    assert token_in(body) == token_in(
        next(d.body for d in deliveries(school_notices.PURPOSE) if d.address == school.head_phone)
    )
    tick_at(STAGE1 + timedelta(minutes=1))  # nothing twice
    assert len(deliveries(school_notices.REMINDER)) == 18

    for school in late:
        confirm(published, school, STAGE1 + timedelta(minutes=12))
    tick_at(STAGE2 + timedelta(seconds=5))
    reports = {d.address: d.body for d in deliveries(school_notices.REPORT, published.id)}
    by_phone = {c.phone: c for c in contacts()}
    bureau = next(c for c in contacts() if c.township_id is None)
    silent_towns = {s.township_id for s in silent}
    assert set(reports) == {bureau.phone} | {c.phone for c in contacts() if c.township_id in silent_towns}
    assert f"仍有{len(silent)}所学校未确认收到" in reports[bureau.phone]
    for school in silent:
        assert school.name in reports[bureau.phone]
        assert school.name in next(
            body for phone, body in reports.items() if by_phone[phone].township_id == school.township_id
        )
    for school in late + on_time:
        assert school.name not in reports[bureau.phone]
    for phone, body in reports.items():
        township = by_phone[phone].township
        if township:
            names = re.search(r"未确认收到：(.*)。请", body).group(1).split("、")
            assert sorted(names) == sorted(s.name for s in silent if s.township_id == township.id)

    rows = {n.school_id: n for n in notices(published.id)}
    assert all(rows[s.id].reminded_at is None for s in on_time)
    assert all(
        rows[s.id].reminded_at == STAGE1 + timedelta(seconds=5) and rows[s.id].reported_at is None
        for s in late
    )
    assert all(rows[s.id].reported_at == STAGE2 + timedelta(seconds=5) for s in silent)
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(("school.reminded", "school.reported")))
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["school.reminded", "school.reported"]


def test_the_jobs_survive_a_restart(app, restart, published, yu_schools):
    """Only the database remembers the jobs: a new app over it runs them when they are due."""
    restart()
    again = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
        }
    )
    try:
        with again.app_context():
            assert scheduling.next_run_time(school_notices.job_id(published.id, 1)) == STAGE1
            with freeze_time(STAGE1 + timedelta(minutes=1)):
                scheduling.tick()
            db.session.remove()
    finally:
        store = again.extensions.pop("notify.scheduler.store", None)
        if store is not None:
            store.shutdown(wait=False)
        with again.app_context():
            db.engine.dispose()
    assert len(deliveries(school_notices.REMINDER, published.id)) == len(yu_schools)


def test_a_superseded_revision_escalates_nothing(published, yu_schools, sample_users, sample_levels):
    with freeze_time(T0 + timedelta(minutes=20)):
        upgrade_rev = propose_change(
            published.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
        )
        db.session.commit()
        take_to(upgrade_rev, "published", sample_users)
    assert scheduling.next_run_time(school_notices.job_id(published.id, 1)) is None
    assert scheduling.next_run_time(school_notices.job_id(upgrade_rev.id, 1)) == T0 + timedelta(minutes=50)
    # Even a job that was already running (or left behind) changes nothing for the old revision.
    with freeze_time(STAGE1):
        escalate_schools(revision_id=published.id, stage=1)
    fresh()
    assert deliveries(school_notices.REMINDER, published.id) == []


def test_a_school_without_a_duty_contact_is_reminded_on_its_head_phone(published, yu_schools):
    school = yu_schools[0]
    school.duty_phone = None
    db.session.commit()
    tick_at(STAGE1 + timedelta(seconds=1))
    assert school.head_phone in {d.address for d in deliveries(school_notices.REMINDER)}
