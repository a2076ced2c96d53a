"""The one guard every state change of a revision goes through.

perform() checks, in order: the form is not stale; the (state, action) pair is in the transition
table; the actor holds the role the action needs (for decisions, the approver of the level, or
of the higher level when the level changes); nobody decides on their own proposal; a reason is
given where one is required; the action's own preconditions. Only then does it change the state,
freeze what was approved and write the audit event, all in the caller's transaction.

The guard is a pure state machine: it sends nothing and schedules nothing. What a step causes
(deliveries, notices, timed jobs, the public site) is done by the use cases that call it:
notify.publication for publishing, notify.revision_steps for the other steps. What approving needs
to know of the world (the audience now, the schools' measures) they pass in as ApprovalFacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from notify import audit, clock
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted, StaleForm, TransitionNotAllowed
from notify.lifecycle.snapshot import freeze
from notify.lifecycle.transitions import (
    DECISIONS,
    OFFICE_ACTIONS,
    OFFICE_ROLES,
    REASON_REQUIRED,
    Action,
    State,
    approver_role,
    next_state,
)
from notify.models import ApprovalForm, Revision, User


@dataclass
class ApprovalFormData:
    """The office's half of 附件5, filed with each submission."""

    basis: str
    main_content: str
    department_opinion: str
    planned_publish_at: datetime | None = None


@dataclass(frozen=True)
class ApprovalFacts:
    """What the approval freezes beside the revision's own content, read by the caller now: the
    audience's size and per-group fingerprint (notify.audience_approval) and what schools must do
    at the level (notify.schools.instructions)."""

    audience_size: int
    audience_print: dict[str, Any] | None
    school_instructions: list[dict[str, Any]]


def allowed_roles(revision: Revision, action: Action) -> frozenset[str]:
    if action in OFFICE_ACTIONS:
        return OFFICE_ROLES
    if action in DECISIONS:
        return frozenset({approver_role(revision)})
    return frozenset()


def perform(
    revision: Revision,
    action: str,
    actor: User,
    *,
    version: int | None = None,
    reason: str = "",
    form: ApprovalFormData | None = None,
    confirmed_audience_size: int | None = None,
    facts: ApprovalFacts | None = None,
    now: datetime | None = None,
) -> State:
    now = now or clock.now()
    action = Action(action)
    if version is not None and version != revision.version:
        raise StaleForm(
            _l(
                "This proposal was changed by someone else after you opened it. "
                "Reload the page and check it again."
            )
        )
    target = next_state(revision.state, action)
    if target is None:
        raise TransitionNotAllowed(
            _l(
                "This revision is %(state)s, so “%(action)s” is not possible.",
                state=state_label(revision.state),
                action=action_label(action),
            )
        )
    if actor.role not in allowed_roles(revision, action):
        raise NotPermitted(_l("Your role may not “%(action)s” this revision.", action=action_label(action)))
    if action in DECISIONS and actor.id in (revision.author_id, revision.submitted_by_id):
        raise NotPermitted(_l("You drafted or submitted this revision; another person must decide on it."))
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise InvalidProposal({"reason": _l("Give a reason; the office will see it.")})

    _EFFECTS[action](
        revision,
        actor,
        now,
        reason=reason,
        form=form,
        confirmed_audience_size=confirmed_audience_size,
        facts=facts,
    )
    previous = revision.state
    revision.state = target.value
    audit.record(
        f"revision.{action.value}",
        actor=actor,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence} {revision.action}: "
        f"{previous} → {target.value}",
        detail={"from": previous, "to": target.value, "reason": reason or None, "level": revision.level.code},
        at=now,
    )
    return target


def _submit(revision: Revision, actor: User, now: datetime, *, form: ApprovalFormData | None, **_):
    if form is None:
        raise InvalidProposal({"basis": _l("Fill in the approval form before submitting.")})
    errors = {}
    for field in ("basis", "main_content", "department_opinion"):
        if not (getattr(form, field) or "").strip():
            errors[field] = _l("This field is required.")
    if errors:
        raise InvalidProposal(errors)
    revision.submitted_by_id = actor.id
    revision.submitted_at = now
    revision.approval_forms.append(
        ApprovalForm(
            level_label=f"{revision.level.name_zh}（{revision.level.response_level_zh}）",
            planned_publish_at=form.planned_publish_at,
            basis=form.basis.strip(),
            main_content=form.main_content.strip(),
            department_opinion=form.department_opinion.strip(),
            filed_by_id=actor.id,
            filed_at=now,
        )
    )


def _decide(decision: str):
    def effect(
        revision: Revision,
        actor: User,
        now: datetime,
        *,
        reason: str,
        confirmed_audience_size: int | None,
        facts: ApprovalFacts | None,
        **_,
    ):
        form = revision.approval_form
        if decision == "approved":
            if facts is None:  # a caller bypassing notify.revision_steps: a bug, not bad input
                raise TypeError("approving needs the ApprovalFacts of the revision")
            size = facts.audience_size
            if confirmed_audience_size is None:
                raise InvalidProposal(
                    {"confirmed_audience_size": _l("Confirm the audience size before approving.")}
                )
            if confirmed_audience_size != size:
                raise StaleForm(
                    _l(
                        "The audience is now %(size)d recipients, not %(confirmed)d. "
                        "Check it and confirm again.",
                        size=size,
                        confirmed=confirmed_audience_size,
                    )
                )
            revision.decided_by_id = actor.id
            revision.decided_at = now
            if form is not None:
                form.audience_size_confirmed = size
            freeze(
                revision,
                approver=actor,
                now=now,
                audience=size,
                audience_print=facts.audience_print,
                school_instructions=facts.school_instructions,
            )
        if form is not None:
            form.decision = decision
            form.leader_opinion = reason or form.leader_opinion
            form.decided_by_id = actor.id
            form.decided_at = now
        if decision == "rejected" and revision.warning.current is None:
            revision.warning.status = "abandoned"

    return effect


def _publish(revision: Revision, actor: User, now: datetime, **_):
    """The state of publishing only; its effects are notify.publication's."""
    warning = revision.warning
    current = warning.current
    if revision.supersedes_id != (current.id if current else None):
        raise TransitionNotAllowed(
            _l(
                "The warning changed since this revision was proposed; propose it again from the "
                "current state."
            )
        )
    if revision.snapshot is None:
        raise TransitionNotAllowed(_l("This revision has no approved content to publish."))
    revision.published_by_id = actor.id
    revision.published_at = now
    warning.status = "lifted" if revision.action == "lift" else "active"


def _withdraw(revision: Revision, actor: User, now: datetime, **_):
    """Back to pending approval: the approval and its frozen content are set aside, and the same
    approval form is filed again for the approver to sign anew."""
    if revision.snapshot is not None:
        db.session.delete(revision.snapshot)
        revision.snapshot = None
    revision.decided_by_id = None
    revision.decided_at = None
    signed = revision.approval_form
    if signed is not None:
        revision.approval_forms.append(
            ApprovalForm(
                level_label=signed.level_label,
                planned_publish_at=signed.planned_publish_at,
                basis=signed.basis,
                main_content=signed.main_content,
                department_opinion=signed.department_opinion,
                filed_by_id=actor.id,
                filed_at=now,
            )
        )


_EFFECTS = {
    Action.SUBMIT: _submit,
    Action.APPROVE: _decide("approved"),
    Action.RETURN: _decide("returned"),
    Action.REJECT: _decide("rejected"),
    Action.PUBLISH: _publish,
    Action.WITHDRAW: _withdraw,
}


def state_label(state: str):
    return {
        "draft": _l("a draft"),
        "pending_approval": _l("pending approval"),
        "approved": _l("approved"),
        "published": _l("published"),
        "returned": _l("returned"),
        "rejected": _l("rejected"),
    }.get(state, state)


def action_label(action: str):
    return {
        "submit": _l("Submit for approval"),
        "approve": _l("Approve"),
        "return": _l("Return"),
        "reject": _l("Reject"),
        "publish": _l("Publish"),
        "withdraw": _l("Withdraw for a new approval"),
    }.get(action, action)
