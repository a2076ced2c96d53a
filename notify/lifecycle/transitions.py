"""The single table of allowed state changes of a revision, and who may make each.

Everything that changes a revision's state goes through notify.lifecycle.guard.perform, which
consults only this table.
"""

from __future__ import annotations

from enum import StrEnum

from notify.models.users import Role


class State(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETURNED = "returned"
    REJECTED = "rejected"


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    PUBLISH = "publish"


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.PENDING_APPROVAL,
    (State.RETURNED, Action.SUBMIT): State.PENDING_APPROVAL,
    (State.PENDING_APPROVAL, Action.APPROVE): State.APPROVED,
    (State.PENDING_APPROVAL, Action.RETURN): State.RETURNED,
    (State.PENDING_APPROVAL, Action.REJECT): State.REJECTED,
    (State.APPROVED, Action.PUBLISH): State.PUBLISHED,
}

# States in which the content of a revision may still be edited by the office.
EDITABLE = frozenset({State.DRAFT, State.RETURNED})
# States of a revision still on its way; a warning has at most one such revision.
OPEN = frozenset({State.DRAFT, State.PENDING_APPROVAL, State.RETURNED, State.APPROVED})

# Decisions on a pending revision: the approver role comes from the revision's level.
DECISIONS = frozenset({Action.APPROVE, Action.RETURN, Action.REJECT})
REASON_REQUIRED = frozenset({Action.RETURN, Action.REJECT})

# The office (应急指挥部办公室) files the approval form and publishes once it is signed (§4.2.2).
OFFICE_ACTIONS = frozenset({Action.SUBMIT, Action.PUBLISH})
OFFICE_ROLES = frozenset({Role.OFFICE_STAFF})


def next_state(state: str, action: str) -> State | None:
    return TRANSITIONS.get((State(state), Action(action)))
