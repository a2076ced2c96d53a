"""Escalation on a frozen clock that the tests move: at the due time (response start + 2 h) every
enterprise not in place is reminded with its link again; 30 minutes later each township hears of
its own and the ecology bureau of all; nothing is sent when all are in place, or for a
superseded revision; the jobs live in the database and survive a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from notify import create_app, scheduling
from notify.enterprises import confirm, messages
from notify.enterprises.escalation import escalate_enterprises
from notify.extensions import db
from notify.models import AuditEvent
from tests.conftest import fresh
from tests.notify.enterprises.builders import create_enterprise
from tests.notify.enterprises.duty_effect_helpers import (
    DUE,
    START,
    T0,
    change,
    create_contact,
    duties,
    duty_of,
    lime_kiln_list,
    link_in,
    publish,
    restart,  # noqa: F401  (the fixture every test here uses)
    sent,
)

pytestmark = pytest.mark.usefixtures("restart")
REPORT_AT = DUE + timedelta(minutes=30)


@pytest.fixture
def scene(sample_jurisdiction, sample_draft, sample_users):
    """Six lime kilns in two townships, a contact for each township and one for the bureau."""
    lime_kiln_list(sample_jurisdiction)
    one, two = sample_jurisdiction.townships[:2]
    kilns = [
        create_enterprise(sample_jurisdiction, township=t, name=f"{t.name_zh}石灰厂{i}")
        for t in (one, two)
        for i in (1, 2, 3)
    ]
    contacts = {
        "bureau": create_contact(sample_jurisdiction, name="分局值班室"),
        "one": create_contact(sample_jurisdiction, one, name="一镇环保员"),
        "two": create_contact(sample_jurisdiction, two, name="二镇环保员"),
    }
    sample_draft.response_start_at = START
    db.session.commit()
    publish(sample_draft, sample_users)
    return {"revision": sample_draft, "kilns": kilns, "contacts": contacts, "towns": (one, two)}


def tick_at(at):
    with freeze_time(at):
        scheduling.tick()
    fresh()


def act(revision, enterprise, action, at):
    duty = duty_of(revision.id, enterprise.id)
    outcome = confirm.receive(duty, at) if action == "receive" else confirm.in_place(duty, at)
    assert outcome.recorded
    db.session.commit()


def test_those_not_in_place_are_reminded_at_the_due_time(scene):
    revision, kilns = scene["revision"], scene["kilns"]
    act(revision, kilns[0], "in_place", T0 + timedelta(minutes=40))
    act(revision, kilns[1], "receive", T0 + timedelta(minutes=10))
    tick_at(DUE - timedelta(seconds=1))
    assert sent(messages.REMINDER) == []

    tick_at(DUE)
    reminders = {d.address: d for d in sent(messages.REMINDER, revision.id)}
    assert set(reminders) == {k.env_officer_phone for k in kilns[1:]}
    body = reminders[kilns[1].env_officer_phone].body
    assert body.startswith(
        f"提醒：{kilns[1].name}尚未确认黄色预警应急减排措施落实到位（应于11月23日11:30前）"
    )
    assert link_in(body) == link_in(
        next(d.body for d in sent(revision_id=revision.id) if d.address == kilns[1].env_officer_phone)
    )
    rows = {d.enterprise_id: d for d in duties(revision.id)}
    assert rows[kilns[0].id].reminded_at is None
    assert all(rows[k.id].reminded_at == DUE for k in kilns[1:])
    tick_at(DUE + timedelta(minutes=1))  # nothing twice
    assert len(sent(messages.REMINDER)) == 5


def test_the_townships_and_the_bureau_hear_of_those_still_not_in_place(scene):
    revision, kilns, contacts = scene["revision"], scene["kilns"], scene["contacts"]
    one, two = scene["towns"]
    act(revision, kilns[0], "in_place", T0 + timedelta(minutes=40))
    act(revision, kilns[1], "receive", T0 + timedelta(minutes=10))
    tick_at(DUE)
    act(revision, kilns[3], "in_place", DUE + timedelta(minutes=10))  # late, but in place
    tick_at(REPORT_AT - timedelta(seconds=1))
    assert sent(messages.REPORT) == []

    tick_at(REPORT_AT)
    reports = {d.address: d.body for d in sent(messages.REPORT, revision.id)}
    assert set(reports) == {c.phone for c in contacts.values()}
    township_one = reports[contacts["one"].phone]
    assert township_one.startswith(f"{one.name_zh}：黄色预警应急减排措施应于11月23日11:30前落实到位")
    assert "截至12:00仍有2家企业未确认到位" in township_one
    assert (
        f"未回复1家（{kilns[2].name}）" in township_one
        and f"已收到未到位1家（{kilns[1].name}）" in township_one
    )
    township_two = reports[contacts["two"].phone]
    assert (
        kilns[4].name in township_two and kilns[5].name in township_two and kilns[3].name not in township_two
    )
    county = reports[contacts["bureau"].phone]
    assert county.startswith("生态环境部门：") and "仍有4家企业未确认到位" in county
    assert f"{one.name_zh}2家" in county and f"{two.name_zh}2家" in county
    assert kilns[0].name not in county and kilns[3].name not in county
    rows = {d.enterprise_id: d for d in duties(revision.id)}
    assert {k.id for k in kilns if rows[k.id].reported_at == REPORT_AT} == {kilns[i].id for i in (1, 2, 4, 5)}
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(("enterprise.reminded", "enterprise.reported")))
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["enterprise.reminded", "enterprise.reported"]


def test_nothing_is_sent_when_all_are_in_place(scene):
    revision, kilns = scene["revision"], scene["kilns"]
    for i, kiln in enumerate(kilns):
        act(revision, kiln, "in_place", T0 + timedelta(minutes=20 + i))
    assert scheduling.next_run_time(messages.job_id(revision.id, 1)) is None
    tick_at(REPORT_AT + timedelta(minutes=5))
    assert sent(messages.REMINDER) == [] and sent(messages.REPORT) == []
    escalate_enterprises(revision_id=revision.id, stage=2)  # even a job left behind finds nothing
    fresh()
    assert sent(messages.REPORT) == []


def test_a_superseded_revision_escalates_nothing(scene, sample_users, sample_levels):
    revision = scene["revision"]
    at = T0 + timedelta(minutes=50)
    upgrade = change(revision, "upgrade", sample_levels["orange"], sample_users, at)
    assert scheduling.next_run_time(messages.job_id(revision.id, 1)) is None
    assert scheduling.next_run_time(messages.job_id(upgrade.id, 1)) == at + timedelta(hours=2)
    with freeze_time(DUE):
        escalate_enterprises(revision_id=revision.id, stage=1)
    fresh()
    assert sent(messages.REMINDER) == []
    tick_at(at + timedelta(hours=2))
    assert {d.revision_id for d in sent(messages.REMINDER)} == {upgrade.id}


def test_the_jobs_survive_a_restart(app, request, scene):
    """Only the database remembers the jobs: a new app over it runs them when they are due."""
    revision = scene["revision"]
    request.getfixturevalue("restart")()
    again = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
        }
    )
    try:
        with again.app_context():
            assert scheduling.next_run_time(messages.job_id(revision.id, 1)) == DUE
            with freeze_time(DUE + timedelta(minutes=1)):
                scheduling.tick()
            db.session.remove()
    finally:
        store = again.extensions.pop("notify.scheduler.store", None)
        if store is not None:
            store.shutdown(wait=False)
        with again.app_context():
            db.engine.dispose()
    assert len(sent(messages.REMINDER, revision.id)) == len(scene["kilns"])
