"""The single table of allowed state changes of a revision, and who may make each.

Everything that changes a revision's state goes through notify.lifecycle.guard.perform, which
consults only this table.
"""

from __future__ import annotations

from enum import StrEnum

from notify.models.users import APPROVER_ROLES, Role
from notify.models.warnings import Revision


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
    # The office sends an approved revision back for a new approval (its audience changed).
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.PENDING_APPROVAL,
    (State.RETURNED, Action.SUBMIT): State.PENDING_APPROVAL,
    (State.PENDING_APPROVAL, Action.APPROVE): State.APPROVED,
    (State.PENDING_APPROVAL, Action.RETURN): State.RETURNED,
    (State.PENDING_APPROVAL, Action.REJECT): State.REJECTED,
    (State.APPROVED, Action.PUBLISH): State.PUBLISHED,
    (State.APPROVED, Action.WITHDRAW): State.PENDING_APPROVAL,
}

# States in which the content of a revision may still be edited by the office.
EDITABLE = frozenset({State.DRAFT, State.RETURNED})
# States of a revision still on its way; a warning has at most one such revision.
OPEN = frozenset({State.DRAFT, State.PENDING_APPROVAL, State.RETURNED, State.APPROVED})

# Decisions on a pending revision: the approver role comes from the revision's level.
DECISIONS = frozenset({Action.APPROVE, Action.RETURN, Action.REJECT})
REASON_REQUIRED = frozenset({Action.RETURN, Action.REJECT})

# The office (应急指挥部办公室) files the approval form and publishes once it is signed (§4.2.2).
OFFICE_ACTIONS = frozenset({Action.SUBMIT, Action.PUBLISH, Action.WITHDRAW})
OFFICE_ROLES = frozenset({Role.OFFICE_STAFF})


def approver_role(revision: Revision) -> str:
    """Who decides on a revision: its level's approver (§4.2.2). A change of level is decided by
    the higher of the two levels' approvers, so that a red warning is downgraded only with the
    commander's approval; an extension or a lifting keeps the level, so its approver decides (§4.4).
    """
    roles = [revision.level.approver_role]
    supersedes = revision.supersedes
    if supersedes is not None and supersedes.level_id != revision.level_id:
        roles.append(supersedes.level.approver_role)
    return max(roles, key=_seniority)


def _seniority(role: str) -> int:
    ranked = [r.value for r in APPROVER_ROLES]  # the deputy commander, then the commander
    return ranked.index(role) if role in ranked else -1


def next_state(state: str, action: str) -> State | None:
    return TRANSITIONS.get((State(state), Action(action)))
