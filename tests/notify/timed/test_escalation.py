"""Deadline escalation (§4.2.2) on a frozen clock: SMS to the office director and the
approver, rows for the command's robots, one alert per deadline, a mark on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select

from notify import scheduling
from notify.extensions import db
from notify.lifecycle.consultations import ConsultationData
from notify.lifecycle.proposals import propose_issue
from notify.models import Consultation, DeadlineAlert, Robot
from notify.revision_steps import record_consultation, take
from tests.conftest import approval_form, proposal, take_to
from tests.notify.timed.conftest import events, messages, stored_jobs

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Yu County


def robots(j):
    county = Robot(
        jurisdiction_id=j.id,
        kind="wecom",
        name="县应急指挥部值班群",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
    )
    township = Robot(
        jurisdiction_id=j.id,
        kind="dingtalk",
        name="秀水镇群",
        secret="s",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t",
        township_id=j.townships[0].id,
    )
    db.session.add_all([county, township])
    db.session.commit()
    return county, township


def test_publication_not_done_alerts_before_the_deadline(
    sample_draft, sample_users, director, sample_jurisdiction
):
    county, _township = robots(sample_jurisdiction)
    sample_users["deputy"].phone = "13900000002"
    db.session.commit()
    with freeze_time(T0):
        take_to(sample_draft, "approved", sample_users)
    job = f"escalate:publication:{sample_draft.id}"
    assert job in stored_jobs()
    with freeze_time(T0 + timedelta(minutes=104)):  # due at +120, lead 15 min
        scheduling.tick()
    assert db.session.scalar(select(DeadlineAlert)) is None
    with freeze_time(T0 + timedelta(minutes=105)):
        scheduling.tick()
        scheduling.tick()
    db.session.rollback()
    [alert] = db.session.scalars(select(DeadlineAlert)).all()
    assert alert.deadline == "publication" and alert.due_at == T0 + timedelta(hours=2)
    assert alert.sent_at == T0 + timedelta(minutes=105)
    sms = messages("escalation")
    assert sorted(d.address for d in sms) == ["+8613900000001", "+8613900000002"]
    assert all("须于11月23日11:00前发布" in d.body and sample_draft.warning.reference in d.body for d in sms)
    assert all(d.status == "pending" and d.gateway == "aliyun" for d in sms)
    [robot] = messages("escalation", channel="robot")
    assert (robot.address, robot.gateway) == (f"robot:{county.id}", "wecom")
    assert robot.body.startswith("**预警时限提醒**")
    [mark] = events("deadline.publication.escalated")
    assert mark.warning_id == sample_draft.warning_id and "赵" not in mark.summary
    assert (alert.sms_count, alert.robot_count) == (2, 1)


def test_published_in_time_no_alert_and_the_job_is_gone(sample_draft, sample_users, director):
    with freeze_time(T0):
        take_to(sample_draft, "approved", sample_users)
    with freeze_time(T0 + timedelta(minutes=30)):
        take(sample_draft, "publish", sample_users["office"])
        db.session.commit()
    assert f"escalate:publication:{sample_draft.id}" not in stored_jobs()
    with freeze_time(T0 + timedelta(hours=3)):
        scheduling.tick()
    assert messages("escalation") == [] and events("deadline.publication.escalated") == []


def test_the_lead_is_configurable(app, monkeypatch, sample_draft, sample_users, director):
    monkeypatch.setitem(app.config, "ESCALATION_LEAD_MINUTES", 45)
    with freeze_time(T0):
        take_to(sample_draft, "approved", sample_users)
    with freeze_time(T0 + timedelta(minutes=75)):
        scheduling.tick()
    db.session.rollback()
    assert len(messages("escalation")) == 1  # the director; the deputy has no phone here


def _consultation(j, office, at) -> Consultation:
    """Recorded as the console and the API record it: the approval form's clock starts."""
    c = record_consultation(
        j.id,
        ConsultationData(
            concluded_at=at,
            conclusion="预计日AQI>200，建议发布橙色预警",
            reporter="县环境监测站",
            forecast_daily_aqi=[215, 230, 160],
        ),
        office,
    )
    db.session.commit()
    return c


def test_approval_form_not_filed_within_the_hour(
    sample_jurisdiction, sample_users, director, sample_kind, sample_levels
):
    sample_users["deputy"].phone = "+86 139 0000 0003"
    sample_users["commander"].phone = "13900000004"
    db.session.commit()
    with freeze_time(T0):
        c = _consultation(sample_jurisdiction, sample_users["office"], T0)
        draft = propose_issue(
            sample_kind, proposal(sample_levels["orange"], consultation=c), sample_users["office"]
        )
        db.session.commit()
    assert f"escalate:approval_form:{c.id}" in stored_jobs()
    with freeze_time(T0 + timedelta(minutes=45)):
        scheduling.tick()
    db.session.rollback()
    [alert] = db.session.scalars(select(DeadlineAlert)).all()
    assert alert.deadline == "approval_form" and alert.warning_id == draft.warning_id
    # Orange is the deputy commander's: the commander is not disturbed.
    assert sorted(d.address for d in messages("escalation")) == ["+8613900000001", "+8613900000003"]
    assert "审批表" in messages("escalation")[0].body
    assert events("deadline.approval_form.escalated")[0].warning_id == draft.warning_id


def test_approval_form_filed_in_time_ends_the_watch(
    sample_jurisdiction, sample_users, director, sample_kind, sample_levels
):
    with freeze_time(T0):
        c = _consultation(sample_jurisdiction, sample_users["office"], T0)
        draft = propose_issue(
            sample_kind, proposal(sample_levels["yellow"], consultation=c), sample_users["office"]
        )
        db.session.commit()
    with freeze_time(T0 + timedelta(minutes=20)):
        take(draft, "submit", sample_users["office"], form=approval_form(draft))
        db.session.commit()
    assert f"escalate:approval_form:{c.id}" not in stored_jobs()
    with freeze_time(T0 + timedelta(hours=2)):
        scheduling.tick()
        from notify.timed.escalation import escalate_approval_form

        escalate_approval_form(consultation_id=c.id)  # a stray run changes nothing either
    assert messages("escalation") == []
