"""The transition table and its guard: every (state, action) pair, allowed or refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.audience import audience_size
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted, StaleForm, TransitionNotAllowed
from notify.lifecycle.transitions import TRANSITIONS, Action, State
from notify.models import AuditEvent, Recipient
from notify.revision_steps import take
from tests.conftest import approval_form, approver_for, take_to

PAIRS = [(s, a) for s in State for a in Action]


def _kwargs_for(action: Action, revision):
    if action == Action.SUBMIT:
        return {"form": approval_form(revision)}
    if action in (Action.APPROVE, Action.RETURN, Action.REJECT):
        return {"reason": "意见", "confirmed_audience_size": audience_size(revision)}
    return {}


def _actor(action: Action, users, revision):
    if action in (Action.SUBMIT, Action.PUBLISH, Action.WITHDRAW):
        return users["office"]
    return approver_for(users, revision.level)


def _audit_count():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s.value}-{a.value}" for s, a in PAIRS])
def test_every_state_action_pair(state, action, sample_draft, sample_users):
    take_to(sample_draft, state.value, sample_users)
    before_events = _audit_count()
    version = sample_draft.version
    allowed = (state, action) in TRANSITIONS
    if allowed:
        result = take(
            sample_draft,
            action,
            _actor(action, sample_users, sample_draft),
            version=version,
            **_kwargs_for(action, sample_draft),
        )
        db.session.commit()
        assert result == TRANSITIONS[(state, action)]
        assert sample_draft.state == result.value
        assert _audit_count() == before_events + 1
        assert sample_draft.version > version  # a form opened before the change is now stale
    else:
        with pytest.raises(TransitionNotAllowed):
            take(
                sample_draft,
                action,
                _actor(action, sample_users, sample_draft),
                version=version,
                **_kwargs_for(action, sample_draft),
            )
        db.session.rollback()
        assert sample_draft.state == state.value
        assert _audit_count() == before_events


def test_table_covers_the_documented_lifecycle():
    assert TRANSITIONS == {
        (State.DRAFT, Action.SUBMIT): State.PENDING_APPROVAL,
        (State.RETURNED, Action.SUBMIT): State.PENDING_APPROVAL,
        (State.PENDING_APPROVAL, Action.APPROVE): State.APPROVED,
        (State.PENDING_APPROVAL, Action.RETURN): State.RETURNED,
        (State.PENDING_APPROVAL, Action.REJECT): State.REJECTED,
        (State.APPROVED, Action.PUBLISH): State.PUBLISHED,
        (State.APPROVED, Action.WITHDRAW): State.PENDING_APPROVAL,
    }


@pytest.mark.parametrize("action", [Action.RETURN, Action.REJECT])
@pytest.mark.parametrize("reason", ["", "   "])
def test_return_and_reject_need_a_reason(action, reason, sample_draft, sample_users):
    take_to(sample_draft, "pending_approval", sample_users)
    with pytest.raises(InvalidProposal) as err:
        take(sample_draft, action, sample_users["deputy"], reason=reason)
    assert err.value.field == "reason"
    db.session.rollback()
    assert sample_draft.state == "pending_approval"


def test_submit_needs_the_approval_form(sample_draft, sample_users):
    with pytest.raises(InvalidProposal):
        take(sample_draft, "submit", sample_users["office"])
    form = approval_form(sample_draft)
    form.department_opinion = " "
    with pytest.raises(InvalidProposal) as err:
        take(sample_draft, "submit", sample_users["office"], form=form)
    assert err.value.field == "department_opinion"
    db.session.rollback()
    assert sample_draft.state == "draft" and sample_draft.approval_forms == []


def test_stale_version_changes_nothing(sample_draft, sample_users):
    take_to(sample_draft, "pending_approval", sample_users)
    stale = sample_draft.version - 1
    with pytest.raises(StaleForm):
        take(
            sample_draft,
            "approve",
            sample_users["deputy"],
            version=stale,
            confirmed_audience_size=audience_size(sample_draft),
        )
    db.session.rollback()
    assert sample_draft.state == "pending_approval"


def test_approval_needs_the_audience_confirmed_and_current(sample_draft, sample_users, sample_recipients):
    take_to(sample_draft, "pending_approval", sample_users)
    size = audience_size(sample_draft)
    assert size == 316  # every demo group heavy pollution reaches; the test group is not counted
    with pytest.raises(InvalidProposal):
        take(sample_draft, "approve", sample_users["deputy"])
    db.session.rollback()
    # The audience shrank after the approver looked: the confirmation is stale.
    db.session.scalars(select(Recipient).order_by(Recipient.id)).first().active = False
    db.session.commit()
    with pytest.raises(StaleForm):
        take(sample_draft, "approve", sample_users["deputy"], confirmed_audience_size=size)
    db.session.rollback()
    assert sample_draft.state == "pending_approval" and sample_draft.snapshot is None
    take(sample_draft, "approve", sample_users["deputy"], confirmed_audience_size=size - 1)
    db.session.commit()
    assert sample_draft.approval_form.audience_size_confirmed == size - 1
    assert sample_draft.snapshot.content["audience_size"] == size - 1


def test_double_approval_is_refused(sample_draft, sample_users):
    take_to(sample_draft, "approved", sample_users)
    with pytest.raises(TransitionNotAllowed):
        take(
            sample_draft,
            "approve",
            sample_users["deputy2"],
            confirmed_audience_size=audience_size(sample_draft),
        )


def test_rejecting_a_first_issue_abandons_the_warning(sample_draft, sample_users):
    take_to(sample_draft, "rejected", sample_users)
    assert sample_draft.warning.status == "abandoned"


def test_returned_revision_can_be_resubmitted_with_a_new_form(sample_draft, sample_users):
    take_to(sample_draft, "returned", sample_users)
    take(sample_draft, "submit", sample_users["office2"], form=approval_form(sample_draft))
    db.session.commit()
    assert sample_draft.state == "pending_approval"
    assert [f.decision for f in sample_draft.approval_forms] == ["returned", None]
    assert sample_draft.submitted_by.username == "office2"


def test_not_permitted_is_a_distinct_error(sample_draft, sample_users):
    with pytest.raises(NotPermitted):
        take(sample_draft, "submit", sample_users["deputy"], form=approval_form(sample_draft))
