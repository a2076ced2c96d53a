"""The whole life of tip-offs through the one guard: acceptance, referral, verification,
extension, a returned and an approved reply, duplicate linking, reward and rumour clarification.
Every step leaves an audit event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted, TransitionNotAllowed
from notify.models import AuditEvent, Clarification, Reward
from notify.tipoffs.guard import ActionData, perform
from tests.conftest import fresh
from tests.notify.tipoffs.fixtures import make_tipoff


def _actions(tipoff) -> list[str]:
    return [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "Tipoff", AuditEvent.subject_id == tipoff.id)
            .order_by(AuditEvent.id)
        )
    ]


def test_full_lifecycle_with_extension_duplicate_and_reward(
    sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users
):
    office, office2, deputy = sample_users["office"], sample_users["office2"], sample_users["deputy"]
    eco = sample_unit_users["eco"]
    start = clock.now()
    # An anonymous report first, then a real-name report of the same matter the next day.
    first, _ = make_tipoff(sample_jurisdiction, now=start)
    second, _ = make_tipoff(
        sample_jurisdiction,
        anonymous=False,
        name="张三",
        phone="+8613800000000",
        now=start + timedelta(days=1),
    )

    perform(first, "accept", office, ActionData(reason="属于应急响应措施监督范围"))
    perform(second, "mark_duplicate", office, ActionData(duplicate_of=first.ticket_number))
    assert second.state == "duplicate" and second.duplicate_of is first and second.closed_at is not None
    perform(first, "refer", office, ActionData(unit_id=eco.member_unit_id))
    perform(first, "start_verifying", eco)
    perform(first, "extend", office, ActionData(extension_days=30, reason="需联合住建部门现场核查"))
    assert first.closure_due_at == first.received_at + timedelta(days=90)
    perform(first, "submit_reply", eco, ActionData(outcome="true", reply="情况属实，待补充处理结果"))
    perform(first, "return_reply", office, ActionData(reason="请写明处理结果"))
    assert first.state == "verifying" and first.reply_return_reason
    perform(
        first, "submit_reply", eco, ActionData(outcome="true", reply="情况属实，已责令停工整改并立案处罚。")
    )
    perform(first, "approve_reply", office)
    db.session.commit()

    assert first.state == "closed" and first.closed_at and first.reply_approved_by_id == office.id
    # The first real-name reporter of the verified matter is the one eligible, not the anonymous one.
    assert second.reward_eligible and not first.reward_eligible

    perform(second, "propose_reward", office, ActionData(amount="500", reason="首报实名举报"))
    with pytest.raises(NotPermitted):
        perform(second, "approve_reward", office2)  # the office does not approve rewards
    perform(second, "approve_reward", deputy)
    perform(
        second,
        "record_payment",
        office,
        ActionData(paid_on=clock.now().date(), payment_reference="财付-2026-001"),
    )
    db.session.commit()
    fresh()
    reward = db.session.scalar(select(Reward))
    assert reward.amount == 500 and reward.approved_by_id == deputy.id and reward.paid_on is not None
    assert reward.tipoff_id == second.id and reward.proposed_by_id == office.id

    assert _actions(first) == [
        "tipoff.received",
        "tipoff.accept",
        "tipoff.refer",
        "tipoff.start_verifying",
        "tipoff.extend",
        "tipoff.submit_reply",
        "tipoff.return_reply",
        "tipoff.submit_reply",
        "tipoff.approve_reply",
    ]
    assert _actions(second) == [
        "tipoff.received",
        "tipoff.mark_duplicate",
        "tipoff.propose_reward",
        "tipoff.approve_reward",
        "tipoff.record_payment",
    ]


def test_not_accepted_needs_a_reason_which_becomes_the_answer(
    sample_tipoff_env, sample_jurisdiction, sample_users
):
    tipoff, _ = make_tipoff(sample_jurisdiction)
    with pytest.raises(InvalidProposal) as refused:
        perform(tipoff, "not_accept", sample_users["office"])
    assert refused.value.status_code == 400 and tipoff.state == "received"
    perform(
        tipoff, "not_accept", sample_users["office"], ActionData(reason="不属于本平台受理范围，请向12345反映")
    )
    assert tipoff.state == "not_accepted" and tipoff.closed_at and tipoff.decision_reason


def test_rumour_outcome_publishes_a_clarification_linked_to_the_current_warning(
    client, sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users, sample_published
):
    office, eco = sample_users["office"], sample_unit_users["eco"]
    tipoff, _ = make_tipoff(sample_jurisdiction, category="other")
    perform(tipoff, "accept", office)
    perform(tipoff, "refer", office, ActionData(unit_id=eco.member_unit_id))
    perform(tipoff, "start_verifying", eco)
    perform(
        tipoff,
        "submit_reply",
        eco,
        ActionData(outcome="false_rumour", reply="经核查，网传“全县停水停电”不实。"),
    )
    with pytest.raises(TransitionNotAllowed):  # not before the reply is approved
        perform(
            tipoff, "publish_clarification", office, ActionData(title_zh="辟谣", body_zh="网传消息不实。")
        )
    perform(tipoff, "approve_reply", office)
    warning = sample_published.warning
    perform(
        tipoff,
        "publish_clarification",
        office,
        ActionData(
            title_zh="关于“重污染预警期间全县停水停电”的辟谣",
            title_en="Rumour of water and power cuts is false",
            body_zh="近日网传预警期间全县停水停电，经核查不实。请以官方发布为准。",
            body_en="The rumour is false.",
            warning_id=warning.id,
        ),
    )
    db.session.commit()
    item = db.session.scalar(select(Clarification))
    assert item.warning_id == warning.id and item.tipoff_id == tipoff.id

    page = client.get(f"/clarifications/{item.id}").get_data(as_text=True)
    assert "停水停电" in page and f"/warnings/{warning.reference}" in page
    assert "停水停电" in client.get(f"/warnings/{warning.reference}").get_data(as_text=True)
    assert "停水停电" in client.get("/clarifications").get_data(as_text=True)
    with pytest.raises(TransitionNotAllowed):  # one clarification per tip-off
        perform(tipoff, "publish_clarification", office, ActionData(title_zh="再次", body_zh="再次辟谣内容"))


def test_only_a_rumour_gets_a_clarification(
    sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users
):
    office, eco = sample_users["office"], sample_unit_users["eco"]
    tipoff, _ = make_tipoff(sample_jurisdiction)
    for action, data in [("accept", None), ("refer", ActionData(unit_id=eco.member_unit_id))]:
        perform(tipoff, action, office, data)
    perform(tipoff, "start_verifying", eco)
    perform(tipoff, "submit_reply", eco, ActionData(outcome="true", reply="情况属实已处理"))
    perform(tipoff, "approve_reply", office)
    with pytest.raises(TransitionNotAllowed):
        perform(
            tipoff, "publish_clarification", office, ActionData(title_zh="辟谣", body_zh="网传消息不实。")
        )


def test_an_anonymous_only_matter_has_nobody_eligible(
    sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users
):
    office, eco = sample_users["office"], sample_unit_users["eco"]
    tipoff, _ = make_tipoff(sample_jurisdiction)
    perform(tipoff, "accept", office)
    perform(tipoff, "refer", office, ActionData(unit_id=eco.member_unit_id))
    perform(tipoff, "start_verifying", eco)
    perform(tipoff, "submit_reply", eco, ActionData(outcome="partly_true", reply="部分属实，已处理"))
    perform(tipoff, "approve_reply", office)
    assert not tipoff.reward_eligible
    with pytest.raises(TransitionNotAllowed):
        perform(tipoff, "propose_reward", office, ActionData(amount="200"))


def test_a_duplicate_of_a_duplicate_links_to_the_first(sample_tipoff_env, sample_jurisdiction, sample_users):
    office = sample_users["office"]
    now = clock.now()
    a, _ = make_tipoff(sample_jurisdiction, now=now)
    b, _ = make_tipoff(sample_jurisdiction, now=now + timedelta(hours=1))
    c, _ = make_tipoff(sample_jurisdiction, now=now + timedelta(hours=2))
    perform(b, "mark_duplicate", office, ActionData(duplicate_of=a.ticket_number))
    perform(c, "mark_duplicate", office, ActionData(duplicate_of=b.ticket_number))
    assert c.duplicate_of is a
    with pytest.raises(InvalidProposal):  # the earlier one cannot be a duplicate of the later one
        perform(a, "mark_duplicate", office, ActionData(duplicate_of=c.ticket_number))
