"""Publishing a revision whose level has school instructions writes one notice per school, as
ordinary deliveries with the school's own text and link, next to the warning's own outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from notify import scheduling
from notify.channels import sms_segments
from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.extensions import db
from notify.lifecycle.proposals import ProposalData, propose_change, propose_issue
from notify.models import (
    AlertKind,
    AudienceGroup,
    Delivery,
    Recipient,
    Robot,
    Role,
    SchoolInstruction,
    Township,
    User,
)
from notify.models.deliveries import Status
from notify.revision_steps import take
from notify.schools import notices as school_notices
from notify.schools import registry, tokens
from tests.conftest import PASSWORD_HASH, proposal, take_to
from tests.notify.schools.conftest import deliveries, notices, token_in

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Yu County


def publish(draft, users, at=T0):
    with freeze_time(at):
        take_to(draft, "published", users)
    return draft


def change(revision, action, level, users, at, **overrides):
    with freeze_time(at - timedelta(minutes=5)):
        draft = propose_change(revision.warning, action, proposal(level, **overrides), users["office"])
        db.session.commit()
    return publish(draft, users, at)


def test_every_school_gets_its_own_notice_and_link(yu_schools, sample_draft, sample_users):
    publish(sample_draft, sample_users)
    rows = notices(sample_draft.id)
    assert len(rows) == len(yu_schools) == 68
    sent = {d.address: d for d in deliveries(school_notices.PURPOSE, sample_draft.id)}
    assert set(sent) == {s.head_phone for s in yu_schools}
    first = yu_schools[0]
    body = sent[first.head_phone].body
    # No signature in the text: the domestic gateway adds it (notify/channels/sms_signature.py).
    assert body.startswith("盂县第一中学校：")
    assert sent[first.head_phone].segments == sms_segments.count("【盂县应急指挥部】" + body).segments
    assert "请贵校自11月23日起，停止室外课程及活动" in body and "回复1" in body
    assert tokens.read(token_in(body)) == (sample_draft.id, first.id)
    links = {token_in(d.body) for d in sent.values()}
    assert len(links) == 68  # every school's link is its own
    d = sent[first.head_phone]
    assert (d.channel, d.gateway, d.status, d.revision_id, d.segments) == (
        "sms",
        "aliyun",
        Status.PENDING,
        sample_draft.id,
        2,
    )
    assert rows[0].items[0]["measure"] == "stop_outdoor" and rows[0].requires_ack


def test_a_school_phone_in_the_warning_audience_gets_both_messages(
    sample_recipients, yu_schools, sample_draft, sample_users
):
    school = yu_schools[0]
    group = db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == "schools"))
    db.session.add(
        Recipient(
            group_id=group.id, name=school.name, address=school.head_phone, township_id=school.township_id
        )
    )
    db.session.commit()
    publish(sample_draft, sample_users)
    rows = list(db.session.scalars(select(Delivery).where(Delivery.address == school.head_phone)))
    assert sorted(r.purpose for r in rows) == ["school_notice", "warning"]
    assert next(r for r in rows if r.purpose == "warning").body is None  # the snapshot's text
    # One per purpose still: the same message twice to one address is refused.
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Delivery),
            [
                {
                    "revision_id": sample_draft.id,
                    "purpose": "school_notice",
                    "channel": "sms",
                    "address": school.head_phone,
                    "locale": "zh",
                    "status": Status.PENDING,
                    "gateway": "aliyun",
                    "attempts": 0,
                    "next_attempt_at": T0,
                    "error_reason": "",
                    "created_at": T0,
                    "updated_at": T0,
                }
            ],
        )
    db.session.rollback()


def test_a_robot_shared_by_schools_gets_one_message_without_links(yu_schools, sample_draft, sample_users):
    j_id = yu_schools[0].jurisdiction_id
    group_chat = Robot(
        jurisdiction_id=j_id,
        kind="dingtalk",
        name="秀水镇校长群",
        webhook_url="http://127.0.0.1:1/robot/send?access_token=t",
        secret="s",
    )
    own = Robot(
        jurisdiction_id=j_id,
        kind="wecom",
        name="一中值班群",
        webhook_url="http://127.0.0.1:1/cgi-bin/webhook/send?key=k",
    )
    db.session.add_all([group_chat, own])
    db.session.flush()
    yu_schools[0].robot_id = own.id
    for school in yu_schools[1:4]:
        school.robot_id = group_chat.id
    db.session.commit()
    publish(sample_draft, sample_users)
    robots = [d for d in deliveries(school_notices.PURPOSE, sample_draft.id) if d.channel == "robot"]
    assert sorted((d.address, d.gateway) for d in robots) == sorted(
        [(f"robot:{own.id}", "wecom"), (f"robot:{group_chat.id}", "dingtalk")]
    )
    for d in robots:
        assert "/a/" not in d.body and "停止室外课程及活动" in d.body and d.status == Status.PENDING


def test_only_schools_in_the_warned_townships(
    yu_schools, sample_users, sample_kind, sample_levels, sample_jurisdiction
):
    chosen = [t for t in sample_jurisdiction.townships if t.name_zh in ("南娄镇", "西烟镇")]
    draft = propose_issue(
        sample_kind,
        ProposalData(
            level=sample_levels["orange"],
            headline_zh="南娄镇、西烟镇发布橙色预警",
            area_scope="townships",
            townships=chosen,
            response_start_at=T0,
        ),
        sample_users["office"],
    )
    db.session.commit()
    publish(draft, sample_users)
    expected = {s.id for s in yu_schools if s.township_id in {t.id for t in chosen}}
    assert {n.school_id for n in notices(draft.id)} == expected and len(expected) == 10


def test_an_exercise_reaches_no_school(yu_schools, sample_draft, sample_users):
    sample_draft.warning.is_exercise = True
    db.session.commit()
    publish(sample_draft, sample_users)
    assert notices(sample_draft.id) == [] and deliveries(school_notices.PURPOSE) == []


def test_escalation_is_scheduled_with_the_configured_intervals(
    app, monkeypatch, restart, yu_schools, sample_draft, sample_users
):
    monkeypatch.setitem(app.config, "SCHOOL_ACK_ESCALATE_MINUTES", 20)
    monkeypatch.setitem(app.config, "SCHOOL_ACK_REPORT_MINUTES", 45)
    publish(sample_draft, sample_users)
    assert scheduling.next_run_time(school_notices.job_id(sample_draft.id, 1)) == T0 + timedelta(minutes=20)
    assert scheduling.next_run_time(school_notices.job_id(sample_draft.id, 2)) == T0 + timedelta(minutes=65)


def test_lifting_says_outdoor_activities_may_resume_and_needs_no_confirmation(
    restart, yu_schools, sample_draft, sample_users, sample_levels
):
    publish(sample_draft, sample_users)
    lift = change(
        sample_draft,
        "lift",
        sample_levels["yellow"],
        sample_users,
        T0 + timedelta(hours=20),
        headline_zh="盂县解除重污染天气黄色预警",
    )
    rows = notices(lift.id)
    assert len(rows) == 68 and not any(r.requires_ack for r in rows)
    body = rows[0].body
    assert "可恢复室外课程及活动" in body and "/a/" not in body and "回复1" not in body
    assert "自11月24日05:00起" in body  # 21:00 UTC is 05:00 the next day in Yu County
    # The lifted revision's escalation is cancelled, and the lifting schedules none.
    for rid in (sample_draft.id, lift.id):
        for stage in (1, 2):
            assert scheduling.next_run_time(school_notices.job_id(rid, stage)) is None
    lifted = deliveries(school_notices.PURPOSE, lift.id)
    assert {d.expires_at for d in lifted} == {None} and {d.after_revision_id for d in lifted} == {
        sample_draft.id
    }


def test_the_approved_instructions_are_sent_even_if_the_data_changes_before_publication(
    yu_schools, sample_draft, sample_users
):
    take_to(sample_draft, "approved", sample_users)
    for instruction in db.session.scalars(select(SchoolInstruction)):
        instruction.text_zh = "改过的文字"
    db.session.commit()
    with freeze_time(T0):
        take(sample_draft, "publish", sample_users["office"])
        db.session.commit()
    assert all(
        "停止室外课程及活动" in n.body and "改过的文字" not in n.body for n in notices(sample_draft.id)
    )


def _users_of(j) -> dict[str, User]:
    users = {}
    for name, role in (
        ("office", Role.OFFICE_STAFF),
        ("deputy", Role.DEPUTY_COMMANDER),
        ("commander", Role.COMMANDER),
    ):
        users[name] = User(jurisdiction=j, username=f"wuan-{name}", display_name=name, role=role.value)
        users[name].password_hash = PASSWORD_HASH
        db.session.add(users[name])
    db.session.commit()
    return users


def test_wuan_red_lets_schools_but_not_kindergartens_suspend_classes_at_aqi_500(app):
    j = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    db.session.commit()
    header = "code,name,type,township,head_name,head_phone"
    db.session.add(Township(jurisdiction=j, code="130481100", name_zh="武安镇", name_en="Wu'an Town"))
    db.session.commit()
    township = "武安镇"
    report = registry.import_csv(
        j,
        (
            f"{header}\nW1,武安市第一中学,high,{township},甲,13903547001\n"
            f"W2,武安市实验幼儿园,kindergarten,{township},乙,13903547002"
        ).encode(),
    )
    assert report.errors == []
    db.session.commit()
    users = _users_of(j)
    kind = db.session.scalar(select(AlertKind).where(AlertKind.jurisdiction_id == j.id))
    red = next(lv for lv in kind.levels if lv.code == "red")
    draft = propose_issue(kind, proposal(red, headline_zh="武安市发布重污染天气红色预警"), users["office"])
    db.session.commit()
    publish(draft, users)
    bodies = {n.school.code: n.body for n in notices(draft.id)}
    assert "可采取弹性教学" in bodies["W1"] and "停止室外课程及活动" in bodies["W1"]
    assert "接到红色预警且AQI日均值达到500时，有条件的学校可采取停课措施" in bodies["W1"]
    assert "可采取弹性教学" in bodies["W2"] and "停课" not in bodies["W2"]
    assert "1." in bodies["W1"] and "3." in bodies["W1"]
