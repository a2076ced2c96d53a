"""一厂一策: each enterprise's own plan per response level (seed 001 §六(六); seed 000 §1.5).

A plan starts from the reduction list: per response, the list's measure for the enterprise's
industry, sub-type and grade, the lines that measure stops, two hours to prepare, the indicators
the enterprise is to fill (expected power and gas use) and its environmental officer as the
responsible person. The office edits it per enterprise; every change is a draft of a new version
(a copy of the last one), approved by the bureau. Nobody approves a draft they saved last. The
approved plan with the highest version is the one in force; approving a newer one supersedes it.
Every step is an audit event (seed 000 §1.5: 全程留痕).
"""

from __future__ import annotations

import copy
import math
from enum import StrEnum
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify import audit, clock
from notify.enterprises import reduction_lists
from notify.enterprises.plan_levels import clean, split_processes
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted, TransitionNotAllowed
from notify.models import (
    AlertKind,
    AuditEvent,
    Enterprise,
    EnterprisePlan,
    Level,
    ProductionLine,
    Role,
    User,
)

HEAVY_POLLUTION = "heavy_pollution"
DEFAULT_PREP_HOURS = 2
# Left for the enterprise to fill: the figures it shows when complying (001 §六(六)).
SUGGESTED_INDICATORS = (("预计日用电量", "kWh"), ("预计日用天然气量", "m³"))
DRAFTERS = frozenset({Role.OFFICE_STAFF.value, Role.ADMIN.value})
APPROVERS = frozenset({Role.OFFICE_STAFF.value, Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value})
CREATE, SAVE, APPROVE, SUPERSEDE = (
    "enterprise_plan.create",
    "enterprise_plan.save",
    "enterprise_plan.approve",
    "enterprise_plan.supersede",
)


class State(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class Action(StrEnum):
    APPROVE = "approve"
    SUPERSEDE = "supersede"  # done by approving a newer version, never on its own


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.APPROVE): State.APPROVED,
    (State.APPROVED, Action.SUPERSEDE): State.SUPERSEDED,
}


def next_state(state: str, action: Action) -> State | None:
    try:
        return TRANSITIONS.get((State(state), action))
    except ValueError:
        return None


# -- queries ---------------------------------------------------------------------------------


def response_levels(jurisdiction_id: int) -> list[Level]:
    """The levels of the county's heavy-pollution warning that name a response, lowest first."""
    return list(
        db.session.scalars(
            select(Level)
            .join(AlertKind, AlertKind.id == Level.kind_id)
            .where(
                AlertKind.jurisdiction_id == jurisdiction_id,
                AlertKind.code == HEAVY_POLLUTION,
                Level.numeral != "",
            )
            .order_by(Level.rank)
        )
    )


def responses_of(jurisdiction_id: int) -> tuple[str, ...]:
    return tuple(level.numeral for level in response_levels(jurisdiction_id))


def find_enterprise(enterprise_id: int, jurisdiction_id: int) -> Enterprise | None:
    """The enterprise if it is the county's; another county's is not found."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    return enterprise if enterprise is not None and enterprise.jurisdiction_id == jurisdiction_id else None


def find_plan(plan_id: int, jurisdiction_id: int) -> EnterprisePlan | None:
    plan = db.session.get(EnterprisePlan, plan_id)
    if plan is None or plan.enterprise.jurisdiction_id != jurisdiction_id:
        return None
    return plan


def versions(enterprise_id: int) -> list[EnterprisePlan]:
    """The enterprise's plans, newest version first."""
    return list(
        db.session.scalars(
            select(EnterprisePlan)
            .where(EnterprisePlan.enterprise_id == enterprise_id)
            .order_by(EnterprisePlan.version.desc())
        )
    )


def current_plan(enterprise_id: int) -> EnterprisePlan | None:
    """The plan in force: the approved one with the highest version."""
    return db.session.scalar(
        select(EnterprisePlan)
        .where(EnterprisePlan.enterprise_id == enterprise_id, EnterprisePlan.state == State.APPROVED)
        .order_by(EnterprisePlan.version.desc())
        .limit(1)
    )


def open_draft(enterprise_id: int) -> EnterprisePlan | None:
    return db.session.scalar(
        select(EnterprisePlan)
        .where(EnterprisePlan.enterprise_id == enterprise_id, EnterprisePlan.state == State.DRAFT)
        .order_by(EnterprisePlan.version.desc())
        .limit(1)
    )


def last_saved_by(plan: EnterprisePlan) -> int | None:
    """Who last wrote the draft (made it or saved it): the one user who may not approve it.

    Read from the plan's audit trail, which holds every save with its actor."""
    actor = db.session.scalar(
        select(AuditEvent.actor_id)
        .where(
            AuditEvent.subject_type == EnterprisePlan.__name__,
            AuditEvent.subject_id == plan.id,
            AuditEvent.action.in_((CREATE, SAVE)),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    return actor if actor is not None else plan.created_by_id


# -- the prefill from the reduction list -------------------------------------------------------


def _percent(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def suggested_lines(lines: list[ProductionLine], action: dict[str, Any]) -> list[int]:
    """The emitting lines an action stops: all of them for a whole-plant stop; its share by count,
    rounded up, of those running the processes it names (of all when it names none); else every
    line running a process it stops outright."""
    emitting = [line for line in lines if line.emits]
    share = _percent(action.get("stop_share"))
    if share and action.get("basis") == "whole_plant":
        return [line.id for line in emitting]
    if share:
        named = set(split_processes(action.get("processes")))
        if named:
            emitting = [line for line in emitting if named & set(split_processes(line.processes))]
        # Fraction: 30 % of 10 lines is 3, where float arithmetic rounds 3.0000000000000004 up to 4.
        count = min(len(emitting), math.ceil(Fraction(str(share)) * len(emitting) / 100))
        return [line.id for line in emitting[:count]]
    stopped = set(split_processes(action.get("stop_processes")))
    return [line.id for line in emitting if stopped & set(split_processes(line.processes))]


def _prefilled_level(enterprise: Enterprise, text: str, action: dict[str, Any]) -> dict[str, Any]:
    level: dict[str, Any] = {
        "text": text,
        "lines": suggested_lines(list(enterprise.lines), action),
        # The processes the measure names, those it stops outright first.
        "processes": split_processes(
            [*split_processes(action.get("stop_processes")), *split_processes(action.get("processes"))]
        ),
        "prep_hours": DEFAULT_PREP_HOURS,
    }
    for name in ("stop_share", "limit_share"):
        if _percent(action.get(name)) is not None:
            level[name] = action[name]
    level["indicators"] = [{"name": n, "value": "", "unit": u} for n, u in SUGGESTED_INDICATORS]
    level["responsible"] = [
        {"name": enterprise.env_officer, "phone": enterprise.env_officer_phone, "duty": "环保负责人"}
    ]
    return level


def prefill(enterprise: Enterprise) -> dict[str, dict[str, Any]]:
    """The plan the reduction list suggests, per response level of the county's warning."""
    table = reduction_lists.measures_by_key(reduction_lists.current_list(enterprise.jurisdiction_id))
    levels = {}
    for response in responses_of(enterprise.jurisdiction_id):
        choice = reduction_lists.choose(
            table,
            industry=enterprise.industry,
            subtype=enterprise.subtype,
            grade=enterprise.grade,
            exempt_reason=enterprise.exempt_reason,
            response=response,
        )
        levels[response] = _prefilled_level(enterprise, choice.text_zh, choice.action)
    return levels


# -- the use cases -----------------------------------------------------------------------------


def _may_draft(enterprise: Enterprise, actor: User) -> None:
    if actor.role not in DRAFTERS or actor.jurisdiction_id != enterprise.jurisdiction_id:
        raise NotPermitted(_l("Only the office and the administrator of the county draft plans."))


def new_draft(enterprise: Enterprise, actor: User, *, from_list: bool = False) -> EnterprisePlan:
    """A new version: a copy of the latest one, or the list's prefill (the first time, or when
    asked, e.g. after the yearly revision of the list)."""
    _may_draft(enterprise, actor)
    draft = open_draft(enterprise.id)
    if draft is not None:
        raise TransitionNotAllowed(
            _l("Version %(version)d is still a draft: edit or approve it first.", version=draft.version)
        )
    previous = versions(enterprise.id)
    latest = previous[0] if previous else None
    if latest is None or from_list:
        reduction_list = reduction_lists.current_list(enterprise.jurisdiction_id)
        levels, list_id = prefill(enterprise), (reduction_list.id if reduction_list else None)
    else:
        levels, list_id = copy.deepcopy(latest.levels), latest.list_id
    plan = EnterprisePlan(
        enterprise=enterprise,
        version=(latest.version if latest else 0) + 1,
        state=State.DRAFT.value,
        list_id=list_id,
        levels=levels,
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(plan)
    db.session.flush()
    audit.record(
        CREATE,
        actor=actor,
        subject=plan,
        summary=f"{enterprise.name} 一厂一策 v{plan.version}",
        detail={
            "enterprise_id": enterprise.id,
            "version": plan.version,
            "from": "list" if latest is None or from_list else f"v{latest.version}",
            "list_id": list_id,
        },
    )
    return plan


def save(plan: EnterprisePlan, levels: Any, actor: User) -> EnterprisePlan:
    """The draft's measures replaced by `levels`, once every field passes; InvalidProposal with
    a reason per field otherwise (nothing is written)."""
    enterprise = plan.enterprise
    _may_draft(enterprise, actor)
    if plan.state != State.DRAFT:
        raise TransitionNotAllowed(
            _l(
                "Version %(version)d is no longer a draft; make a new version to change it.",
                version=plan.version,
            )
        )
    cleaned = clean(
        levels,
        responses=responses_of(enterprise.jurisdiction_id),
        line_ids=[line.id for line in enterprise.lines],
    )
    if cleaned.errors:
        raise InvalidProposal(cleaned.errors)
    changed = [r for r in cleaned.levels if cleaned.levels[r] != (plan.levels or {}).get(r)]
    plan.levels = cleaned.levels
    audit.record(
        SAVE,
        actor=actor,
        subject=plan,
        summary=f"{enterprise.name} 一厂一策 v{plan.version}",
        detail={"enterprise_id": enterprise.id, "version": plan.version, "changed": changed},
    )
    return plan


def approve(plan: EnterprisePlan, actor: User) -> EnterprisePlan:
    """Guard: a draft; an approver of the plan's county; not the user who saved it last; its
    measures still valid. Then: approved, and the version in force before it superseded."""
    enterprise = plan.enterprise
    target = next_state(plan.state, Action.APPROVE)
    if target is None:
        raise TransitionNotAllowed(_l("Only a draft can be approved."))
    if actor.role not in APPROVERS or actor.jurisdiction_id != enterprise.jurisdiction_id:
        raise NotPermitted(_l("Plans are approved by the county's office, deputy commander or commander."))
    if last_saved_by(plan) == actor.id:
        raise NotPermitted(_l("You saved this draft last: another person approves it."))
    in_force = current_plan(enterprise.id)
    if in_force is not None and in_force.version > plan.version:
        raise TransitionNotAllowed(_l("A newer version of this plan is already approved."))
    cleaned = clean(
        plan.levels,
        responses=responses_of(enterprise.jurisdiction_id),
        line_ids=[line.id for line in enterprise.lines],
    )
    if cleaned.errors:
        raise InvalidProposal(cleaned.errors)

    now = clock.now()
    plan.state, plan.approved_by_id, plan.approved_at = target.value, actor.id, now
    summary = f"{enterprise.name} 一厂一策 v{plan.version}"
    audit.record(
        APPROVE,
        actor=actor,
        subject=plan,
        summary=summary,
        detail={"enterprise_id": enterprise.id, "version": plan.version},
        at=now,
    )
    for older in db.session.scalars(
        select(EnterprisePlan).where(
            EnterprisePlan.enterprise_id == enterprise.id,
            EnterprisePlan.state == State.APPROVED,
            EnterprisePlan.id != plan.id,
        )
    ):
        superseded = next_state(older.state, Action.SUPERSEDE)
        assert superseded is not None  # approved → superseded is in the table
        older.state = superseded.value
        audit.record(
            SUPERSEDE,
            actor=actor,
            subject=older,
            summary=f"{enterprise.name} 一厂一策 v{older.version} → v{plan.version}",
            detail={"enterprise_id": enterprise.id, "version": older.version, "by_version": plan.version},
            at=now,
        )
    return plan


def trail(plan: EnterprisePlan) -> list[AuditEvent]:
    """The plan's steps, oldest first: made, saved, approved, superseded (全程留痕)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == EnterprisePlan.__name__, AuditEvent.subject_id == plan.id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
