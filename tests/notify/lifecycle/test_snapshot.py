"""Approval freezes the content; publication and the public site read only the snapshot."""

from __future__ import annotations

from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from tests.conftest import proposal, take_to


def test_approval_freezes_content_and_texts(sample_draft, sample_users):
    take_to(sample_draft, "approved", sample_users)
    s = sample_draft.snapshot.content
    assert s["level"]["code"] == "yellow" and s["level"]["colour"] == sample_draft.level.colour
    assert s["headline"]["zh"] == sample_draft.headline_zh
    assert s["content"]["primary_pollutant"] == "PM2.5" and s["content"]["aqi_max"] == 240
    assert s["approved"]["by"] == sample_users["deputy"].display_name
    sms = s["texts"]["sms"]["zh"]
    # Without signature: each SMS route puts its own in front (notify/channels/sms_signature.py).
    assert sms.startswith(sample_draft.headline_zh) and "应急指挥部" not in sms
    assert "2026-11-23 20:00" in sms  # 12:00 UTC shown as Beijing time
    assert len(sample_draft.snapshot.digest) == 64


def test_edits_after_approval_do_not_reach_the_public(sample_draft, sample_users, client):
    take_to(sample_draft, "approved", sample_users)
    level = sample_draft.level
    level.advisories[0].text_zh = "批准后被改动的建议"
    level.name_zh = "改名的级别"
    sample_draft.headline_zh = "批准后被改动的标题"  # even a direct write to the row
    db.session.commit()
    take_to_publish(sample_draft, sample_users)
    page = client.get("/").get_data(as_text=True)
    assert "批准后被改动" not in page and "改名的级别" not in page
    assert "黄色预警" in page


def take_to_publish(revision, users):
    from notify.revision_steps import take

    take(revision, "publish", users["office"])
    db.session.commit()


def test_lift_sms_says_it_is_lifted(sample_published, sample_users, sample_levels):
    lift = propose_change(
        sample_published.warning, "lift", proposal(sample_levels["yellow"]), sample_users["office"]
    )
    take_to(lift, "approved", sample_users)
    assert "解除" in lift.snapshot.content["texts"]["sms"]["zh"]
    assert lift.snapshot.content["revision"]["supersedes"]["id"] == sample_published.id
