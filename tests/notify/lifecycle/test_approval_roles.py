"""Who may decide: the role the level requires (yellow/orange deputy, red commander), never the
person who drafted or submitted it; lifting follows the level being lifted; a change of level is
decided by the higher of the two levels' approvers."""

from __future__ import annotations

import pytest

from notify.audience import audience_size
from notify.extensions import db
from notify.lifecycle.errors import NotPermitted
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import Role
from notify.revision_steps import take
from tests.conftest import approval_form, proposal, take_to

REQUIRED = {"yellow": "deputy_commander", "orange": "deputy_commander", "red": "commander"}
ROLE_USER = {
    "office_staff": "office2",
    "deputy_commander": "deputy",
    "commander": "commander",
    "publicity": "publicity",
    "member_unit": "unit",
    "admin": "admin",
}
MATRIX = [
    (role, level, decision)
    for role in ROLE_USER
    for level in REQUIRED
    for decision in ("approve", "return", "reject")
]


@pytest.mark.parametrize(("role", "level", "decision"), MATRIX, ids=[f"{r}-{lv}-{d}" for r, lv, d in MATRIX])
def test_role_by_level(role, level, decision, sample_users, sample_kind, sample_levels):
    revision = propose_issue(sample_kind, proposal(sample_levels[level]), sample_users["office"])
    take_to(revision, "pending_approval", sample_users)
    actor = sample_users[ROLE_USER[role]]
    kwargs = {"reason": "意见", "confirmed_audience_size": audience_size(revision)}
    if role == REQUIRED[level]:
        take(revision, decision, actor, **kwargs)
        db.session.commit()
        assert revision.state == {"approve": "approved", "return": "returned", "reject": "rejected"}[decision]
    else:
        with pytest.raises(NotPermitted):
            take(revision, decision, actor, **kwargs)
        db.session.rollback()
        assert revision.state == "pending_approval"


@pytest.mark.parametrize("who", ["author", "submitter"])
def test_nobody_decides_on_their_own_proposal(who, sample_users, sample_kind, sample_levels):
    revision = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    db.session.commit()
    submitter = sample_users["office"] if who == "author" else sample_users["office2"]
    take(revision, "submit", submitter, form=approval_form(revision))
    db.session.commit()
    # The person is later made a deputy commander: the role now fits, but they still may not decide.
    (
        sample_users["office"] if who == "author" else sample_users["office2"]
    ).role = Role.DEPUTY_COMMANDER.value
    db.session.commit()
    with pytest.raises(NotPermitted) as err:
        take(
            revision,
            "approve",
            submitter if who == "submitter" else sample_users["office"],
            confirmed_audience_size=audience_size(revision),
        )
    assert "须由其他人员审批" in str(err.value)  # the domain speaks the default language, zh_CN
    db.session.rollback()
    assert revision.state == "pending_approval"


@pytest.mark.parametrize(
    ("level", "approver", "refused"),
    [
        ("red", "commander", "deputy"),
        ("orange", "deputy", "commander"),
        ("yellow", "deputy", "commander"),
    ],
)
def test_lifting_follows_the_level_being_lifted(
    level, approver, refused, sample_users, sample_kind, sample_levels
):
    first = propose_issue(sample_kind, proposal(sample_levels[level]), sample_users["office"])
    take_to(first, "published", sample_users)
    lift = propose_change(first.warning, "lift", proposal(sample_levels["yellow"]), sample_users["office"])
    assert lift.level.code == level  # lifting keeps the level, whatever the form said
    take_to(lift, "pending_approval", sample_users)
    with pytest.raises(NotPermitted):
        take(lift, "approve", sample_users[refused], confirmed_audience_size=audience_size(lift))
    db.session.rollback()
    take(lift, "approve", sample_users[approver], confirmed_audience_size=audience_size(lift))
    take(lift, "publish", sample_users["office"])
    db.session.commit()
    assert first.warning.status == "lifted"


@pytest.mark.parametrize(
    ("start", "target", "approver", "refused"),
    [
        ("red", "orange", "commander", "deputy"),  # the issue's story: a red downgraded by the deputy
        ("red", "yellow", "commander", "deputy"),
        ("orange", "red", "commander", "deputy"),
        ("orange", "yellow", "deputy", "commander"),
        ("yellow", "orange", "deputy", "commander"),
    ],
)
def test_a_change_of_level_is_decided_by_the_higher_of_the_two_approvers(
    start, target, approver, refused, sample_users, sample_kind, sample_levels
):
    from notify.lifecycle.queries import approval_queue

    first = propose_issue(sample_kind, proposal(sample_levels[start]), sample_users["office"])
    take_to(first, "published", sample_users)
    action = "upgrade" if sample_levels[target].rank > sample_levels[start].rank else "downgrade"
    change = propose_change(first.warning, action, proposal(sample_levels[target]), sample_users["office"])
    take_to(change, "pending_approval", sample_users)
    assert [r.id for r in approval_queue(sample_users[approver])] == [change.id]
    assert approval_queue(sample_users[refused]) == []
    with pytest.raises(NotPermitted):
        take(change, "approve", sample_users[refused], confirmed_audience_size=audience_size(change))
    db.session.rollback()
    take(change, "approve", sample_users[approver], confirmed_audience_size=audience_size(change))
    db.session.commit()
    assert change.state == "approved" and change.decided_by.username == approver
