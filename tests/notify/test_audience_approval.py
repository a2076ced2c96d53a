"""What the approver confirmed is what is sent: staff-managed groups are frozen at approval, open
groups (subscribers) may drift within the tolerance, a changed rule or list refuses publishing
with what changed, and withdrawing the revision puts it before the approver again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify import audience_approval
from notify.audience import audience_size, count_reached, recipients_reached
from notify.audience_approval import verify_unchanged
from notify.audience_csv import import_csv
from notify.extensions import db
from notify.lifecycle.errors import AudienceChanged
from notify.models import AudienceGroup, AudienceRule, AuditEvent, Delivery, Recipient
from notify.revision_steps import take
from tests.conftest import expand_plans, take_to
from tests.notify.enterprises.builders import create_enterprise


def _group(code: str) -> AudienceGroup:
    return db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == code))


def _import(code: str, n: int, first: int = 0) -> None:
    lines = ["name,phone"] + [f"新增{i},1370353{first + i:04d}" for i in range(n)]
    report = import_csv(_group(code), "\n".join(lines).encode())
    assert not report.errors and report.added == n
    db.session.commit()


def _deliveries(revision) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.revision_id == revision.id)
    )


@pytest.fixture
def approved(sample_draft, sample_users, sample_recipients):
    take_to(sample_draft, "approved", sample_users)
    assert sample_draft.snapshot.content["audience_size"] == 316
    return sample_draft


def test_recipients_imported_after_approval_refuse_publishing_until_approved_again(approved, sample_users):
    """The issue's story: 316 confirmed, 25 imported by the office afterwards, 341 sent."""
    _import("townships", 25)
    with pytest.raises(AudienceChanged) as refused:
        take(approved, "publish", sample_users["office"])
    db.session.rollback()
    message = str(refused.value.message)
    assert "乡镇（街道）值班人员" in message and "13 → 38" in message and "+25" in message
    assert [c.what for c in refused.value.changes] == ["count"]
    assert approved.state == "approved" and _deliveries(approved) == 0

    # The office sends it back; the approver confirms the new audience; then it goes out.
    take(approved, "withdraw", sample_users["office"], reason=message)
    db.session.commit()
    assert approved.state == "pending_approval" and approved.snapshot is None
    assert [f.decision for f in approved.approval_forms] == ["approved", None]
    take(approved, "approve", sample_users["deputy"], confirmed_audience_size=audience_size(approved))
    take(approved, "publish", sample_users["office"])
    expand_plans()
    db.session.commit()
    assert _deliveries(approved) == 341
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["revision.withdraw", "revision.approve", "revision.publish"]


def test_a_changed_number_with_the_same_count_is_a_change(approved, sample_users):
    unit = db.session.scalar(
        select(Recipient).where(Recipient.group_id == _group("member_units").id).order_by(Recipient.id)
    )
    unit.address = "+8613703539999"
    db.session.commit()
    with pytest.raises(AudienceChanged) as refused:
        take(approved, "publish", sample_users["office"])
    db.session.rollback()
    assert [(c.what, c.group, c.before, c.after) for c in refused.value.changes] == [
        ("members", "member_units", 24, 24)
    ]


def test_a_changed_audience_rule_is_a_change(approved, sample_users):
    rule = db.session.scalar(select(AudienceRule).join(AudienceGroup).where(AudienceGroup.code == "media"))
    db.session.delete(rule)
    db.session.commit()
    with pytest.raises(AudienceChanged) as refused:
        verify_unchanged(approved)
    changes = {c.what: c for c in refused.value.changes}
    assert changes["rules"].rules_removed == [["media", "sms"]] and changes["rules"].rules_added == []
    assert (changes["count"].group, changes["count"].delta) == ("media", -6)


def test_open_groups_may_drift_within_the_tolerance(approved, sample_users, app, monkeypatch):
    _import("public", 20)  # 203 subscribers became 223: within 10 %
    verify_unchanged(approved)
    _import("public", 1, first=20)  # 224: 21 more, beyond 20.3
    with pytest.raises(AudienceChanged) as refused:
        verify_unchanged(approved)
    (change,) = refused.value.changes
    assert (change.what, change.group, change.before, change.after) == ("open_drift", "public", 203, 224)
    assert "10%" in str(refused.value.message)
    monkeypatch.setitem(app.config, "AUDIENCE_OPEN_GROUP_TOLERANCE_PERCENT", 15)
    take(approved, "publish", sample_users["office"])
    expand_plans()
    db.session.commit()
    assert _deliveries(approved) == 316 + 21  # the subscribers of the moment, as the rule says


def test_an_untouched_audience_publishes_and_older_snapshots_are_not_checked(approved, sample_users):
    verify_unchanged(approved)
    content = dict(approved.snapshot.content)
    del content["audience"]  # a snapshot frozen before the fingerprint existed
    approved.snapshot.content = content
    db.session.commit()
    _import("townships", 1)
    take(approved, "publish", sample_users["office"])
    expand_plans()
    db.session.commit()
    assert approved.state == "published"


def test_schools_added_to_the_registry_after_approval_are_a_change(
    sample_draft, sample_users, sample_recipients
):
    # School notices go to the registry, not to an audience group: it is frozen all the same.
    from notify.demo.schools import seed_schools
    from notify.models import School

    seed_schools(sample_draft.warning.jurisdiction)
    db.session.commit()
    take_to(sample_draft, "approved", sample_users)
    before = sample_draft.snapshot.content["audience"]["groups"]["school_registry"]["count"]
    db.session.add(
        School(
            jurisdiction_id=sample_draft.warning.jurisdiction_id,
            code="NEW-0001",
            name="新建小学",
            type="primary",
            township_id=db.session.scalars(select(School.township_id)).first(),
            head_phone="+8613703538888",
        )
    )
    db.session.commit()
    with pytest.raises(AudienceChanged) as refused:
        take(sample_draft, "publish", sample_users["office"])
    db.session.rollback()
    assert [(c.what, c.group, c.before, c.after) for c in refused.value.changes] == [
        ("count", "school_registry", before, before + 1)
    ]


def test_a_revision_approved_before_the_per_group_fingerprint_is_checked_the_old_way(approved, sample_users):
    """Snapshots approved before FINGERPRINT_VERSION 2 hold counts after the de-duplication by
    address; they are compared with a fingerprint taken the same way, not refused for the change
    of method, and a real change still refuses them."""
    old = audience_approval._fingerprint_v1(approved)
    assert "version" not in old
    approved.snapshot.content = {**approved.snapshot.content, "audience": old}
    db.session.commit()
    verify_unchanged(approved)  # nothing changed: passes

    _import("townships", 1)
    with pytest.raises(AudienceChanged) as refused:
        verify_unchanged(approved)
    assert [(c.what, c.group) for c in refused.value.changes] == [("count", "townships")]


def test_an_address_in_two_groups_counts_in_both(approved, sample_users):
    """Per group, every row its rules reach: a township head who is also a unit's duty officer is
    in both groups' fingerprints (and is still warned once)."""
    unit = db.session.scalar(
        select(Recipient).join(AudienceGroup).where(AudienceGroup.code == "member_units").limit(1)
    )
    before = audience_approval.fingerprint(approved)["groups"]["townships"]["count"]
    db.session.add(Recipient(group=_group("townships"), name="兼任", channel="sms", address=unit.address))
    db.session.commit()

    after = audience_approval.fingerprint(approved)["groups"]["townships"]["count"]
    assert after == before + 1
    assert audience_size(approved) == 316  # the audience itself did not grow


def test_an_enterprise_regraded_after_approval_refuses_publishing(
    sample_draft, sample_users, sample_jurisdiction
):
    """The grade decides the duty: the approver saw the enterprises as they were graded then."""

    enterprise = create_enterprise(sample_jurisdiction, grade="C")
    db.session.commit()
    take_to(sample_draft, "approved", sample_users)
    assert sample_draft.snapshot.content["audience"]["groups"]["enterprise_registry"]["count"] == 1

    enterprise.grade = "B"
    db.session.commit()
    with pytest.raises(AudienceChanged) as refused:
        verify_unchanged(sample_draft)
    assert [(c.what, c.group) for c in refused.value.changes] == [("members", "enterprise_registry")]


def test_a_revision_approved_before_the_enterprise_registry_is_checked_without_it(
    sample_draft, sample_users, sample_jurisdiction
):
    """A version-2 snapshot knew no enterprises: the registry added since is no change to it."""
    take_to(sample_draft, "approved", sample_users)
    sample_draft.snapshot.content = {
        **sample_draft.snapshot.content,
        "audience": audience_approval.fingerprint(sample_draft, version=2),
    }
    db.session.commit()

    create_enterprise(sample_jurisdiction)
    db.session.commit()
    verify_unchanged(sample_draft)
    assert "enterprise_registry" not in sample_draft.snapshot.content["audience"]["groups"]


def _reached_rows(revision, group) -> int:
    return db.session.scalar(
        select(func.count()).select_from(recipients_reached(revision, groups=[group.id]).subquery())
    )


def test_the_indexed_count_is_the_reached_rows_of_each_group(approved, sample_jurisdiction):
    """count_reached reads the rules' channels first and counts on the index alone: per group it
    must give what recipients_reached holds, with inactive rows, channels no rule reaches, a
    township-scoped revision and an exercise."""
    groups = db.session.scalars(select(AudienceGroup)).all()
    township = sample_jurisdiction.townships[0]
    public = _group("public")
    before = count_reached(approved, public)
    db.session.add_all(
        [
            Recipient(group=public, name="停用", channel="sms", address="+8613700000001", active=False),
            Recipient(group=public, name="别的渠道", channel="webhook", address="https://example.org/x"),
            Recipient(
                group=public, name="乡镇", channel="sms", address="+8613700000002", township_id=township.id
            ),
        ]
    )
    db.session.commit()

    def agree() -> list[int]:
        counts = [count_reached(approved, g) for g in groups]
        assert counts == [_reached_rows(approved, g) for g in groups]
        return counts

    whole = agree()
    assert whole[groups.index(public)] == before + 1  # neither the inactive row nor the webhook
    approved.area_scope = "townships"
    approved.townships = [t for t in sample_jurisdiction.townships if t.id != township.id][:1]
    scoped = agree()
    assert 0 < scoped[groups.index(public)] < whole[groups.index(public)]
    approved.warning.is_exercise = True
    exercised = agree()
    assert exercised != scoped
    db.session.rollback()
