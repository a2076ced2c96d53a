"""Publishing writes the outbox: one delivery per (address, channel), the responders' in the
publish transaction, the public subscribers' when the executors expand the plan (take_to and
expand_plans do it as they would)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify import clock
from notify.audience import audience_size
from notify.channels import sms_segments
from notify.dispatch import outbox, plans
from notify.dispatch.costs import audience_segments
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import AudienceGroup, Delivery, DispatchPlan, Recipient, Township
from notify.models.deliveries import Status
from notify.publication import publish
from tests.conftest import expand_plans, proposal, take_to


def _deliveries(revision):
    return db.session.scalars(select(Delivery).where(Delivery.revision_id == revision.id)).all()


def test_publishing_writes_one_pending_delivery_per_address(sample_draft, sample_users, sample_recipients):
    take_to(sample_draft, "approved", sample_users)
    assert _deliveries(sample_draft) == []  # approval alone sends nothing
    publish(sample_draft, sample_users["office"])
    expand_plans()
    rows = _deliveries(sample_draft)
    assert len(rows) == audience_size(sample_draft) == 316
    assert {r.status for r in rows} == {Status.PENDING}
    assert len({(r.channel, r.address) for r in rows}) == len(rows)
    assert {r.gateway for r in rows if r.address.startswith("+86")} == {"aliyun"}
    abroad = [r for r in rows if not r.address.startswith("+86")]
    assert {r.gateway for r in abroad} == {"twilio"} and {r.locale for r in abroad} == {"en"}
    texts = sample_draft.snapshot.content["texts"]["sms"]
    twilio_text = "[Yu County emergency command] " + texts["en"]
    assert {r.segments for r in abroad} == {sms_segments.count(twilio_text).segments}
    # The test group is never reached by a real warning.
    test_numbers = set(
        db.session.scalars(
            select(Recipient.address).join(AudienceGroup).where(AudienceGroup.is_test.is_(True))
        )
    )
    assert test_numbers and not test_numbers & {r.address for r in rows}


def test_an_address_in_two_groups_is_warned_once(sample_draft, sample_users, sample_recipients):
    media = db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == "media"))
    duplicate = db.session.scalars(select(Recipient).order_by(Recipient.id)).first()
    db.session.add(Recipient(group=media, name="兼任媒体联络", address=duplicate.address))
    db.session.commit()
    take_to(sample_draft, "published", sample_users)
    assert len(_deliveries(sample_draft)) == 316
    assert sum(1 for r in _deliveries(sample_draft) if r.address == duplicate.address) == 1


def test_township_scoped_warning_reaches_that_township_and_county_wide_recipients(
    sample_users, sample_kind, sample_levels, sample_recipients
):
    from notify.lifecycle.proposals import propose_issue

    town = db.session.scalar(select(Township).order_by(Township.code))
    revision = propose_issue(
        sample_kind,
        proposal(sample_levels["yellow"], area_scope="townships", townships=[town]),
        sample_users["office"],
    )
    db.session.commit()
    take_to(revision, "published", sample_users)
    rows = _deliveries(revision)
    recipients = {r.address: r for r in db.session.scalars(select(Recipient))}
    assert rows and all(recipients[r.address].township_id in (None, town.id) for r in rows)
    assert any(recipients[r.address].township_id == town.id for r in rows)
    assert len(rows) == audience_size(revision) < 316


def test_level_rules_decide_the_groups(sample_users, sample_jurisdiction, sample_recipients):
    from notify.lifecycle.proposals import propose_issue
    from notify.models import AlertKind

    kind = db.session.scalar(select(AlertKind).where(AlertKind.code == "environmental_emergency"))
    levels = {lv.code: lv for lv in kind.levels}
    blue = propose_issue(kind, proposal(levels["blue"]), sample_users["office"])
    red = propose_issue(kind, proposal(levels["red"]), sample_users["office"])
    db.session.commit()
    # Blue: units, townships, media. Red adds schools, the public and enterprises.
    assert audience_size(blue) == 24 + 13 + 6
    assert audience_size(red) == 24 + 13 + 6 + 40 + 203 + 30


def test_a_failed_publication_leaves_no_deliveries(
    sample_draft, sample_users, sample_levels, sample_recipients
):
    take_to(sample_draft, "published", sample_users)
    change = propose_change(
        sample_draft.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    take_to(change, "approved", sample_users)
    outbox.write_responder_deliveries(change, clock.now())
    plans.write_plan(change, clock.now())
    assert _deliveries(change)
    db.session.rollback()  # the publishing request failed after the outbox insert
    assert _deliveries(change) == []
    assert db.session.scalar(select(func.count()).select_from(DispatchPlan)) == 1  # the first one's


def test_superseding_revision_remembers_what_it_supersedes(
    sample_recipients, sample_published, sample_users, sample_levels
):
    change = propose_change(
        sample_published.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    take_to(change, "published", sample_users)
    assert {r.after_revision_id for r in _deliveries(change)} == {sample_published.id}


def test_audience_segments_counts_each_locale_text(sample_draft, sample_users, sample_recipients):
    take_to(sample_draft, "approved", sample_users)
    texts = sample_draft.snapshot.content["texts"]["sms"]
    expected = (
        313 * sms_segments.count("【盂县应急指挥部】" + texts["zh"]).segments
        + 3 * sms_segments.count("[Yu County emergency command] " + texts["en"]).segments
    )
    assert audience_segments(sample_draft, texts) == expected


def test_segments_are_what_the_phone_shows_on_each_route(
    sample_users, sample_kind, sample_levels, sample_recipients
):
    # Texts chosen so that the signature takes each over a part boundary: the Chinese one is
    # 130 characters bare (two parts of 67) and 139 with 【盂县应急指挥部】 (three); the English
    # one 300 bare (two of 153) and 330 with its [signature] (three).
    revision = propose_issue(
        sample_kind,
        proposal(sample_levels["yellow"], headline_zh="重" * 30, headline_en="Yu County warning"),
        sample_users["office"],
    )
    db.session.commit()
    take_to(revision, "published", sample_users)
    texts = revision.snapshot.content["texts"]["sms"]
    assert (len(texts["zh"]), len(texts["en"])) == (130, 300)
    assert not texts["zh"].startswith("【") and not texts["en"].startswith("[")
    rows = _deliveries(revision)
    assert {r.segments for r in rows if r.gateway == "aliyun"} == {3}
    assert {r.segments for r in rows if r.gateway == "twilio"} == {3}
    assert audience_segments(revision, texts) == 316 * 3


def test_enqueue_message_normalises_and_refuses_landlines(app):
    delivery = outbox.enqueue_message("138 0353 0000", "您的举报已收到", purpose="tipoff_confirmation")
    db.session.commit()
    assert delivery.address == "+8613803530000" and delivery.gateway == "aliyun"
    assert delivery.status == Status.PENDING and delivery.revision_id is None
    from notify.channels.phone import InvalidNumber

    with pytest.raises(InvalidNumber):
        outbox.enqueue_message("0353-8189476", "x", purpose="tipoff_confirmation")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_a_tipoff_receipt_forgets_the_number_and_text_once_it_is_over(app):
    from notify import clock
    from notify.channels.base import StatusReport
    from notify.dispatch import reports

    delivery = outbox.enqueue_message(
        "13803530000", "举报编号JB-20261123-0001 查询码ABC", purpose="tipoff_received"
    )
    kept = outbox.enqueue_message("13803530001", "other", purpose="warning_test")
    db.session.commit()
    assert outbox.scrub_private(clock.now()) == 0  # still to be sent: nothing is blanked
    # Handed over to the gateway (a receipt moves only a message the gateway took), then delivered.
    for row, biz_id in ((delivery, "BIZ-1"), (kept, "BIZ-2")):
        row.status, row.provider_id = Status.ACCEPTED, biz_id
    db.session.commit()
    reports.apply(StatusReport("delivered", provider_id="BIZ-1", delivery_id=delivery.id), now=clock.now())
    reports.apply(StatusReport("delivered", provider_id="BIZ-2", delivery_id=kept.id), now=clock.now())
    db.session.commit()
    assert outbox.scrub_private(clock.now()) == 1
    db.session.expire_all()
    assert (delivery.address, delivery.body) == ("0000", None)
    assert (kept.address, kept.body) == ("+8613803530001", "other")


def test_a_single_message_counts_the_signature_its_route_shows(app):
    text = "a" * 120
    abroad = outbox.enqueue_message("+14155552671", text, purpose="tipoff_received", locale="en")
    at_home = outbox.enqueue_message("13803530000", text, purpose="tipoff_received", locale="en")
    db.session.commit()
    # Twilio: "[Yu County emergency command] " + 120 letters = 150 GSM-7 characters, one part.
    assert (abroad.gateway, abroad.locale, abroad.segments) == ("twilio", "en", 1)
    # Aliyun shows 【盂县应急指挥部】 in front, which makes the text UCS-2: 129 characters, two parts.
    assert (at_home.gateway, at_home.locale, at_home.segments) == ("aliyun", "en", 2)
