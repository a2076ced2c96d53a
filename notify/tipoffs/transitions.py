"""The single table of allowed state changes of a tip-off, and who may make each.

received → accepted | not accepted (reason) | duplicate (linked) ; accepted → referred to a
member unit → verifying (the unit signed for it) → reply pending the office's approval →
closed. Self-loops are actions that change the ticket but not its state (an extension, a
clarification, the reward ledger); they are here so that they too pass the one guard.
"""

from __future__ import annotations

from enum import StrEnum

from notify.models.users import Role


class State(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    DUPLICATE = "duplicate"
    REFERRED = "referred"
    VERIFYING = "verifying"
    REPLY_PENDING = "reply_pending"
    CLOSED = "closed"


class Action(StrEnum):
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    MARK_DUPLICATE = "mark_duplicate"
    REFER = "refer"
    START_VERIFYING = "start_verifying"
    SUBMIT_REPLY = "submit_reply"
    APPROVE_REPLY = "approve_reply"
    RETURN_REPLY = "return_reply"
    EXTEND = "extend"
    PUBLISH_CLARIFICATION = "publish_clarification"
    PROPOSE_REWARD = "propose_reward"
    APPROVE_REWARD = "approve_reward"
    RECORD_PAYMENT = "record_payment"


_IN_HANDLING = (State.ACCEPTED, State.REFERRED, State.VERIFYING, State.REPLY_PENDING)

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.RECEIVED, Action.ACCEPT): State.ACCEPTED,
    (State.RECEIVED, Action.NOT_ACCEPT): State.NOT_ACCEPTED,
    (State.RECEIVED, Action.MARK_DUPLICATE): State.DUPLICATE,
    (State.ACCEPTED, Action.MARK_DUPLICATE): State.DUPLICATE,
    (State.ACCEPTED, Action.REFER): State.REFERRED,
    (State.REFERRED, Action.REFER): State.REFERRED,  # to another unit, with a reason
    (State.REFERRED, Action.START_VERIFYING): State.VERIFYING,
    (State.VERIFYING, Action.SUBMIT_REPLY): State.REPLY_PENDING,
    (State.REPLY_PENDING, Action.APPROVE_REPLY): State.CLOSED,
    (State.REPLY_PENDING, Action.RETURN_REPLY): State.VERIFYING,
    **{(state, Action.EXTEND): state for state in _IN_HANDLING},
    (State.CLOSED, Action.PUBLISH_CLARIFICATION): State.CLOSED,
    # The reward goes to the first real-name reporter of a verified matter, whose ticket may be
    # the handled one (closed) or one linked to it (duplicate); the guard checks eligibility.
    **{
        (state, action): state
        for state in (State.CLOSED, State.DUPLICATE)
        for action in (Action.PROPOSE_REWARD, Action.APPROVE_REWARD, Action.RECORD_PAYMENT)
    },
}

# A ticket in one of these has had its answer; the closure clock stops.
FINAL = frozenset({State.NOT_ACCEPTED, State.DUPLICATE, State.CLOSED})

OFFICE = frozenset({Role.OFFICE_STAFF})
UNIT = frozenset({Role.MEMBER_UNIT})
# Rewards are public money: the office proposes, a commander signs, the office records payment.
REWARD_APPROVERS = frozenset({Role.DEPUTY_COMMANDER, Role.COMMANDER})

ROLES: dict[Action, frozenset[str]] = {
    Action.ACCEPT: OFFICE,
    Action.NOT_ACCEPT: OFFICE,
    Action.MARK_DUPLICATE: OFFICE,
    Action.REFER: OFFICE,
    Action.APPROVE_REPLY: OFFICE,
    Action.RETURN_REPLY: OFFICE,
    Action.EXTEND: OFFICE,
    Action.PUBLISH_CLARIFICATION: OFFICE,
    Action.PROPOSE_REWARD: OFFICE,
    Action.RECORD_PAYMENT: OFFICE,
    Action.START_VERIFYING: UNIT,
    Action.SUBMIT_REPLY: UNIT,
    Action.APPROVE_REWARD: REWARD_APPROVERS,
}
# Actions a member unit may take only on tickets referred to it.
UNIT_ACTIONS = frozenset({Action.START_VERIFYING, Action.SUBMIT_REPLY})
REASON_REQUIRED = frozenset({Action.NOT_ACCEPT, Action.RETURN_REPLY, Action.EXTEND})


def next_state(state: str, action: str) -> State | None:
    try:
        return TRANSITIONS.get((State(state), Action(action)))
    except ValueError:
        return None
