"""The steps of a warning before and after its decision: the use cases the console and the API call.

take() runs one action on a revision: the lifecycle guard, then what that step causes, in order.
Publishing is notify.publication's; the rest is here:

- recording a consultation starts the clock on its approval form (escalated if late, §4.2.2);
- submitting stops that clock;
- approving freezes what the approver confirmed (the audience now and the schools' measures,
  read here and handed to the guard) and starts the clock on publication (§4.2.2);
- returning, rejecting and withdrawing change the state only.

take() does not commit (publish does, see notify.publication): the caller commits, so the jobs
added here (notify.scheduling) are stored with the step or not at all.
"""

from __future__ import annotations

from datetime import datetime

from notify import audience_approval, clock, publication, scheduling
from notify.audience import audience_size
from notify.extensions import db
from notify.lifecycle import consultations, guard
from notify.lifecycle.guard import ApprovalFacts, ApprovalFormData
from notify.lifecycle.transitions import Action, State
from notify.models import Consultation, Revision, User
from notify.schools import instructions as school_instructions
from notify.timed import escalation


def take(
    revision: Revision,
    action: str,
    actor: User,
    *,
    version: int | None = None,
    reason: str = "",
    form: ApprovalFormData | None = None,
    confirmed_audience_size: int | None = None,
    now: datetime | None = None,
) -> State:
    now = now or clock.now()
    step = Action(action)
    if step is Action.PUBLISH:
        publication.publish(revision, actor, version=version, now=now)
        return State.PUBLISHED
    facts = approval_facts(revision) if step is Action.APPROVE else None
    state = guard.perform(
        revision,
        step,
        actor,
        version=version,
        reason=reason,
        form=form,
        confirmed_audience_size=confirmed_audience_size,
        facts=facts,
        now=now,
    )
    if step is Action.SUBMIT and revision.consultation_id is not None:
        scheduling.cancel(escalation.approval_form_job(revision.consultation_id))
    elif step is Action.APPROVE:
        db.session.flush()  # the escalation reads the decision time
        escalation.watch_publication(revision, now)
    return state


def approval_facts(revision: Revision) -> ApprovalFacts:
    """What the approval freezes of the world as it is now."""
    return ApprovalFacts(
        audience_size=audience_size(revision),
        audience_print=audience_approval.fingerprint(revision),
        school_instructions=school_instructions.for_revision(revision),
    )


def record_consultation(
    jurisdiction_id: int, data: consultations.ConsultationData, actor: User
) -> Consultation:
    """A consultation's conclusion: the approval form is due within the hour (§4.2.2)."""
    consultation = consultations.record_consultation(jurisdiction_id, data, actor)
    escalation.watch_consultation(consultation, clock.now())
    return consultation
