"""The one guard every change of a tip-off goes through.

perform() checks, in order: the form is not stale; the (state, action) pair is in the
transition table; the actor holds the role the action needs (a member unit only on tickets
referred to it); a reason is given where one is required; the action's own preconditions.
Only then does it apply the action, change the state and write the audit event, all in the
caller's transaction. The audit event never carries the reporter's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify import audit, clock
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal as InvalidInput
from notify.lifecycle.errors import NotPermitted, StaleForm, TransitionNotAllowed
from notify.models import Clarification, MemberUnit, Reward, Tipoff, User, Warning
from notify.tipoffs.categories import OUTCOMES
from notify.tipoffs.rewards import mark_eligible_reporter
from notify.tipoffs.transitions import (
    FINAL,
    REASON_REQUIRED,
    ROLES,
    UNIT_ACTIONS,
    Action,
    State,
    next_state,
)

MAX_EXTENSION_DAYS = 30


@dataclass
class ActionData:
    """What a console form may carry for an action; each action reads the fields it needs."""

    reason: str = ""
    unit_id: int | None = None
    duplicate_of: str = ""  # the ticket number of the original
    outcome: str = ""
    reply: str = ""
    extension_days: int | None = None
    title_zh: str = ""
    title_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    warning_id: int | None = None
    amount: str = ""
    paid_on: date | None = None
    payment_reference: str = ""


def perform(
    tipoff: Tipoff,
    action: str,
    actor: User,
    data: ActionData | None = None,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> State:
    now = now or clock.now()
    data = data or ActionData()
    try:
        action = Action(action)
    except ValueError:
        raise InvalidInput({"action": _l("Unknown action.")}) from None
    if version is not None and version != tipoff.version:
        raise StaleForm(
            _l(
                "This tip-off was changed by someone else after you opened it. "
                "Reload the page and check it again."
            )
        )
    target = next_state(tipoff.state, action)
    if target is None:
        raise TransitionNotAllowed(
            _l(
                "This tip-off is “%(state)s”, so “%(action)s” is not possible.",
                state=state_label(tipoff.state),
                action=action_label(action),
            )
        )
    if actor.role not in ROLES[action]:
        raise NotPermitted(_l("Your role may not “%(action)s” this tip-off.", action=action_label(action)))
    if action in UNIT_ACTIONS and (
        actor.member_unit_id is None or actor.member_unit_id != tipoff.assigned_unit_id
    ):
        raise NotPermitted(_l("This tip-off was referred to another unit."))
    data.reason = (data.reason or "").strip()
    if action in REASON_REQUIRED and not data.reason:
        raise InvalidInput({"reason": _l("Give a reason.")})

    detail = _EFFECTS[action](tipoff, actor, now, data) or {}
    previous = tipoff.state
    tipoff.state = target.value
    if target in FINAL and tipoff.closed_at is None:
        tipoff.closed_at = now
    audit.record(
        f"tipoff.{action.value}",
        actor=actor,
        subject=tipoff,
        summary=f"{tipoff.ticket_number}: {previous} → {target.value}",
        detail={"from": previous, "to": target.value, "reason": data.reason or None, **detail},
        at=now,
    )
    return target


def _decided(tipoff: Tipoff, actor: User, now: datetime, reason: str) -> None:
    tipoff.decided_at, tipoff.decided_by_id, tipoff.decision_reason = now, actor.id, reason


def _accept(tipoff, actor, now, data):
    _decided(tipoff, actor, now, data.reason)


def _not_accept(tipoff, actor, now, data):
    # The reason is the reporter's answer: the form says it will be shown to them.
    _decided(tipoff, actor, now, data.reason)


def _mark_duplicate(tipoff, actor, now, data):
    number = (data.duplicate_of or "").strip().upper()
    original = db.session.scalar(
        select(Tipoff).where(Tipoff.ticket_number == number, Tipoff.jurisdiction_id == tipoff.jurisdiction_id)
    )
    if original is None:
        raise InvalidInput({"duplicate_of": _l("There is no tip-off with that number.")})
    if original.state == State.DUPLICATE and original.duplicate_of is not None:
        original = original.duplicate_of  # link to the matter's first ticket, never a chain
    if original.id == tipoff.id:
        raise InvalidInput({"duplicate_of": _l("A tip-off cannot duplicate itself.")})
    if original.received_at > tipoff.received_at:
        raise InvalidInput({"duplicate_of": _l("Link the later tip-off to the earlier one.")})
    if original.state == State.NOT_ACCEPTED:
        raise InvalidInput({"duplicate_of": _l("That tip-off was not accepted.")})
    tipoff.duplicate_of = original
    if tipoff.decided_at is None:
        _decided(tipoff, actor, now, data.reason)
    # An original already verified: a real-name reporter who came first may now be the one.
    if original.state == State.CLOSED and original.outcome in ("true", "partly_true"):
        db.session.flush()
        mark_eligible_reporter(original)
    return {"duplicate_of": original.ticket_number}


def _refer(tipoff, actor, now, data):
    unit = db.session.get(MemberUnit, data.unit_id) if data.unit_id else None
    if unit is None or unit.jurisdiction_id != tipoff.jurisdiction_id or not unit.active:
        raise InvalidInput({"unit_id": _l("Choose the member unit to refer it to.")})
    if tipoff.state == State.REFERRED:
        if not data.reason:
            raise InvalidInput({"reason": _l("Say why it goes to another unit.")})
        if unit.id == tipoff.assigned_unit_id:
            raise InvalidInput({"unit_id": _l("It is already with this unit.")})
    tipoff.assigned_unit_id, tipoff.referred_at = unit.id, now
    return {"unit": unit.code}


def _start_verifying(tipoff, actor, now, data):
    tipoff.verifying_since = now


def _submit_reply(tipoff, actor, now, data):
    errors = {}
    if data.outcome not in OUTCOMES:
        errors["outcome"] = _l("Choose the finding.")
    if len((data.reply or "").strip()) < 5:
        errors["reply"] = _l("Write the reply the reporter will read (at least 5 characters).")
    if errors:
        raise InvalidInput(errors)
    tipoff.outcome, tipoff.reply = data.outcome, data.reply.strip()
    tipoff.reply_by_id, tipoff.reply_submitted_at = actor.id, now
    tipoff.reply_return_reason = ""
    return {"outcome": data.outcome}


def _approve_reply(tipoff, actor, now, data):
    tipoff.reply_approved_by_id, tipoff.reply_approved_at = actor.id, now
    tipoff.closed_at = now
    db.session.flush()
    eligible = mark_eligible_reporter(tipoff)
    return {"outcome": tipoff.outcome, "reward_eligible": eligible.ticket_number if eligible else None}


def _return_reply(tipoff, actor, now, data):
    tipoff.reply_return_reason = data.reason


def _extend(tipoff, actor, now, data):
    if tipoff.extension_days is not None:
        raise TransitionNotAllowed(_l("The deadline was already extended once; it cannot be extended again."))
    days = data.extension_days
    if days is None or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput({"extension_days": _l("An extension is 1 to 30 days.")})
    tipoff.extension_days, tipoff.extension_reason = days, data.reason
    tipoff.extended_at, tipoff.extended_by_id = now, actor.id
    tipoff.closure_due_at = tipoff.closure_due_at + timedelta(days=days)
    return {"days": days, "closure_due_at": tipoff.closure_due_at.isoformat()}


def _publish_clarification(tipoff, actor, now, data):
    if tipoff.outcome != "false_rumour":
        raise TransitionNotAllowed(_l("Only a tip-off found to be a false rumour gets a clarification."))
    if tipoff.clarification is not None:
        raise TransitionNotAllowed(_l("The clarification is already published."))
    errors = {}
    if not data.title_zh.strip():
        errors["title_zh"] = _l("This field is required.")
    if len(data.body_zh.strip()) < 5:
        errors["body_zh"] = _l("Write the clarification (at least 5 characters).")
    warning = None
    if data.warning_id:
        warning = db.session.get(Warning, data.warning_id)
        if warning is None or warning.jurisdiction_id != tipoff.jurisdiction_id or warning.status != "active":
            errors["warning_id"] = _l("Choose a warning in force, or none.")
    if errors:
        raise InvalidInput(errors)
    tipoff.clarification = Clarification(
        jurisdiction_id=tipoff.jurisdiction_id,
        warning=warning,
        title_zh=data.title_zh.strip(),
        title_en=data.title_en.strip(),
        body_zh=data.body_zh.strip(),
        body_en=data.body_en.strip(),
        published_at=now,
        published_by_id=actor.id,
    )
    return {"warning": warning.reference if warning else None}


def _propose_reward(tipoff, actor, now, data):
    if not tipoff.reward_eligible:
        raise TransitionNotAllowed(_l("Only the first verified real-name report of a matter earns a reward."))
    if tipoff.reward is not None:
        raise TransitionNotAllowed(_l("A reward is already in the ledger for this tip-off."))
    amount = _amount(data.amount)
    tipoff.reward = Reward(amount=amount, note=data.reason, proposed_by_id=actor.id, proposed_at=now)
    return {"amount": str(amount)}


def _approve_reward(tipoff, actor, now, data):
    reward = tipoff.reward
    if reward is None or reward.approved_at is not None:
        raise TransitionNotAllowed(_l("There is no proposed reward waiting for approval."))
    if reward.proposed_by_id == actor.id:
        raise NotPermitted(_l("You proposed this reward; another person must approve it."))
    reward.approved_by_id, reward.approved_at = actor.id, now
    return {"amount": str(reward.amount)}


def _record_payment(tipoff, actor, now, data):
    reward = tipoff.reward
    if reward is None or reward.approved_at is None:
        raise TransitionNotAllowed(_l("The reward must be approved before it is paid."))
    if reward.paid_on is not None:
        raise TransitionNotAllowed(_l("The payment is already recorded."))
    if data.paid_on is None:
        raise InvalidInput({"paid_on": _l("Give the payment date.")})
    if data.paid_on > now.date() + timedelta(days=1):
        raise InvalidInput({"paid_on": _l("The payment date cannot be in the future.")})
    reward.paid_on, reward.payment_reference = data.paid_on, data.payment_reference.strip()[:100]
    reward.payment_recorded_by_id = actor.id
    return {"paid_on": data.paid_on.isoformat()}


def _amount(raw: str) -> Decimal:
    try:
        amount = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput({"amount": _l("Give the amount in yuan, e.g. 500 or 500.00.")}) from None
    cap = Decimal(str(current_app.config.get("TIPOFF_MAX_REWARD_YUAN", 100000)))
    if not amount.is_finite() or amount <= 0 or amount > cap or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput({"amount": _l("Give the amount in yuan, e.g. 500 or 500.00.")})
    return amount.quantize(Decimal("0.01"))


_EFFECTS = {
    Action.ACCEPT: _accept,
    Action.NOT_ACCEPT: _not_accept,
    Action.MARK_DUPLICATE: _mark_duplicate,
    Action.REFER: _refer,
    Action.START_VERIFYING: _start_verifying,
    Action.SUBMIT_REPLY: _submit_reply,
    Action.APPROVE_REPLY: _approve_reply,
    Action.RETURN_REPLY: _return_reply,
    Action.EXTEND: _extend,
    Action.PUBLISH_CLARIFICATION: _publish_clarification,
    Action.PROPOSE_REWARD: _propose_reward,
    Action.APPROVE_REWARD: _approve_reward,
    Action.RECORD_PAYMENT: _record_payment,
}


def allowed_actions(tipoff: Tipoff, actor: User) -> list[Action]:
    """The actions the console offers this person on this ticket (the guard still decides)."""
    result = []
    for action in Action:
        if next_state(tipoff.state, action) is None or actor.role not in ROLES[action]:
            continue
        if action in UNIT_ACTIONS and actor.member_unit_id != tipoff.assigned_unit_id:
            continue
        result.append(action)
    return result


def state_label(state: str):
    return {
        "received": _l("Received"),
        "accepted": _l("Accepted"),
        "not_accepted": _l("Not accepted"),
        "duplicate": _l("Duplicate"),
        "referred": _l("Referred"),
        "verifying": _l("Verifying"),
        "reply_pending": _l("Reply pending approval"),
        "closed": _l("Closed"),
    }.get(state, state)


def action_label(action: str):
    return {
        "accept": _l("Accept"),
        "not_accept": _l("Do not accept"),
        "mark_duplicate": _l("Mark as duplicate"),
        "refer": _l("Refer to a member unit"),
        "start_verifying": _l("Sign for it and verify"),
        "submit_reply": _l("Submit the reply"),
        "approve_reply": _l("Approve the reply and close"),
        "return_reply": _l("Return the reply"),
        "extend": _l("Extend the deadline"),
        "publish_clarification": _l("Publish a clarification"),
        "propose_reward": _l("Propose a reward"),
        "approve_reward": _l("Approve the reward"),
        "record_payment": _l("Record the payment"),
    }.get(action, action)
