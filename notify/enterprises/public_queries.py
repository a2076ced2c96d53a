"""What the public may see of the enterprises: the county's grading list and each enterprise's
notice board (公示牌).

Seed 001 §五: grading results are published for public supervision; §六(六): each enterprise
posts a board at its gate, from its own plan, with a QR code; seed 000 §7.3: the public watches
that the measures are kept and reports what it sees. Only active enterprises appear, never a
classified one (涉密, 001 §五). Of their tip-offs the public sees the ticket, the date, the
category, the state and, once closed, the finding: never the reporter, the description, the
decision note or the reply, which are the reporter's alone (notify.public.tipoffs shows them
only to the holder of the query code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from notify.enterprises import credit_code as credit_codes
from notify.enterprises import duties, industries
from notify.extensions import db
from notify.models import (
    Clarification,
    Enterprise,
    EnterpriseDuty,
    EnterprisePlan,
    Tipoff,
    Township,
)
from notify.models.enterprises import GRADES, RESPONSES

PAGE_SIZE = 30
MAX_SEARCH = 100  # characters: a name or a credit code is far shorter
BOARD_TIPOFFS = 50
# The order of the list: A first; leading beside B, as the appendix treats them alike.
GRADE_ORDER = ("A", "B", "leading", "C", "non_leading", "D", "exempt")


@dataclass(frozen=True)
class ListFilter:
    search: str = ""
    township_id: int | None = None
    industry: str = ""
    grade: str = ""
    page: int = 1


@dataclass(frozen=True)
class GradingPage:
    enterprises: list[Enterprise]
    total: int  # matching every filter
    page: int
    pages: int
    # Per grade, for the search and the other filters but not the grade one: the grade filter's
    # choices say how many each would show.
    grade_counts: dict[str, int]


@dataclass(frozen=True)
class PlanLevel:
    """One response level of an approved plan as the board shows it (phones left out: the
    board hangs at the gate and on the web)."""

    response: str
    text: str
    lines: list[str]
    processes: str
    prep_hours: float | None
    indicators: list[dict[str, str]]
    responsible: list[dict[str, str]]


@dataclass(frozen=True)
class MeasureInForce:
    duty: EnterpriseDuty
    level: dict[str, Any]  # the revision's frozen level: name_zh/en, colour, code, numeral
    warning_reference: str
    since: datetime | None
    plan_level: PlanLevel | None


@dataclass(frozen=True)
class PublicTipoff:
    ticket_number: str
    received_at: datetime
    category: str
    state: str
    outcome: str | None  # only once closed
    clarification_id: int | None


@dataclass(frozen=True)
class Board:
    enterprise: Enterprise
    in_force: MeasureInForce | None
    plan: EnterprisePlan | None
    plan_levels: list[PlanLevel] = field(default_factory=list)
    tipoffs: list[PublicTipoff] = field(default_factory=list)


class BadFilter(ValueError):
    """A filter value the list does not know; the message says which (English, for the log)."""


# The list.


def parse_filter(jurisdiction_id: int, args: dict[str, str]) -> ListFilter:
    """The list's query string as a filter; BadFilter for a value no choice of the form gives."""
    search = " ".join((args.get("q") or "").split())
    if len(search) > MAX_SEARCH:
        raise BadFilter("search")
    township_id = None
    if args.get("township"):
        try:
            township_id = int(args["township"])
        except ValueError:
            raise BadFilter("township") from None
        if township_id not in {t.id for t in townships(jurisdiction_id)}:
            raise BadFilter("township")
    industry = args.get("industry") or ""
    if industry and industry not in industries.INDUSTRIES:
        raise BadFilter("industry")
    grade = args.get("grade") or ""
    if grade and grade not in GRADES:
        raise BadFilter("grade")
    try:
        page = max(1, int(args.get("page") or 1))
    except ValueError:
        raise BadFilter("page") from None
    return ListFilter(search, township_id, industry, grade, page)


def townships(jurisdiction_id: int) -> list[Township]:
    return list(
        db.session.scalars(
            select(Township).where(Township.jurisdiction_id == jurisdiction_id).order_by(Township.code)
        )
    )


def grading_list(jurisdiction_id: int, wanted: ListFilter, page_size: int = PAGE_SIZE) -> GradingPage:
    conditions = [
        Enterprise.jurisdiction_id == jurisdiction_id,
        Enterprise.active.is_(True),
        Enterprise.classified.is_(False),
    ]
    if wanted.search:
        conditions.append(
            or_(
                Enterprise.name.contains(wanted.search, autoescape=True),
                Enterprise.credit_code.contains(credit_codes.normalise(wanted.search), autoescape=True),
            )
        )
    if wanted.township_id is not None:
        conditions.append(Enterprise.township_id == wanted.township_id)
    if wanted.industry:
        conditions.append(Enterprise.industry == wanted.industry)
    grade_counts = {
        grade: count
        for grade, count in db.session.execute(
            select(Enterprise.grade, func.count()).where(*conditions).group_by(Enterprise.grade)
        )
    }
    if wanted.grade:
        conditions.append(Enterprise.grade == wanted.grade)
    total = grade_counts.get(wanted.grade, 0) if wanted.grade else sum(grade_counts.values())
    pages = max(1, -(-total // page_size))
    page = min(wanted.page, pages)
    rank = case({g: i for i, g in enumerate(GRADE_ORDER)}, value=Enterprise.grade, else_=len(GRADE_ORDER))
    enterprises = list(
        db.session.scalars(
            select(Enterprise)
            .where(*conditions)
            .options(selectinload(Enterprise.township))
            .order_by(rank, Enterprise.name, Enterprise.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    return GradingPage(enterprises, total, page, pages, grade_counts)


# One enterprise.


def public_enterprise(jurisdiction_id: int, code: str) -> Enterprise | None:
    """The active enterprise with this credit code; None for an unknown or malformed one (a
    malformed code never reaches the database)."""
    code = credit_codes.normalise(code or "")
    if not credit_codes.valid(code):
        return None
    return db.session.scalar(
        select(Enterprise).where(
            Enterprise.jurisdiction_id == jurisdiction_id,
            Enterprise.credit_code == code,
            Enterprise.active.is_(True),
            Enterprise.classified.is_(False),  # 001 §五: classified enterprises are not published
        )
    )


def board(enterprise: Enterprise) -> Board:
    plan = approved_plan(enterprise.id)
    duty = duty_in_force(enterprise.id)
    return Board(
        enterprise=enterprise,
        in_force=_measure_in_force(enterprise, duty, plan) if duty is not None else None,
        plan=plan,
        plan_levels=plan_levels(plan, enterprise) if plan is not None else [],
        tipoffs=enterprise_tipoffs(enterprise.id),
    )


def duty_in_force(enterprise_id: int) -> EnterpriseDuty | None:
    """The duty in force now (notify.enterprises.duties decides what that means)."""
    return duties.in_force(enterprise_id)


def approved_plan(enterprise_id: int) -> EnterprisePlan | None:
    return db.session.scalar(
        select(EnterprisePlan)
        .where(EnterprisePlan.enterprise_id == enterprise_id, EnterprisePlan.state == "approved")
        .order_by(EnterprisePlan.version.desc())
        .limit(1)
    )


def plan_levels(plan: EnterprisePlan, enterprise: Enterprise) -> list[PlanLevel]:
    """The plan's measures at Ⅲ, Ⅱ and Ⅰ, in that order; a level the plan leaves out is left out."""
    levels = plan.levels or {}
    return [
        _plan_level(response, levels[response], enterprise)
        for response in RESPONSES
        if isinstance(levels.get(response), dict)
    ]


def _plan_level(response: str, entry: dict[str, Any], enterprise: Enterprise) -> PlanLevel:
    names = {line.id: line.name for line in enterprise.lines}
    lines = [
        names.get(ref, str(ref)) if isinstance(ref, int) else str(ref) for ref in entry.get("lines") or []
    ]
    prep = entry.get("prep_hours")
    return PlanLevel(
        response=response,
        text=str(entry.get("text") or ""),
        lines=lines,
        processes=str(entry.get("processes") or ""),
        prep_hours=float(prep) if isinstance(prep, int | float) else None,
        indicators=[
            {k: str(i.get(k) or "") for k in ("name", "value", "unit")}
            for i in entry.get("indicators") or []
            if isinstance(i, dict)
        ],
        responsible=[
            {k: str(r.get(k) or "") for k in ("name", "duty")}
            for r in entry.get("responsible") or []
            if isinstance(r, dict)
        ],
    )


def _measure_in_force(
    enterprise: Enterprise, duty: EnterpriseDuty, plan: EnterprisePlan | None
) -> MeasureInForce:
    revision = duty.revision
    # The plan the duty was written from, else the one approved now.
    source = duty.plan if duty.plan is not None else plan
    entry = (source.levels or {}).get(duty.response) if source is not None else None
    content = revision.snapshot.content if revision.snapshot is not None else {}
    return MeasureInForce(
        duty=duty,
        level=content.get("level") or {},
        warning_reference=revision.warning.reference,
        since=revision.published_at,
        plan_level=_plan_level(duty.response, entry, enterprise) if isinstance(entry, dict) else None,
    )


def enterprise_tipoffs(enterprise_id: int, limit: int = BOARD_TIPOFFS) -> list[PublicTipoff]:
    rows = db.session.execute(
        select(
            Tipoff.ticket_number,
            Tipoff.received_at,
            Tipoff.category,
            Tipoff.state,
            Tipoff.outcome,
            Clarification.id,
        )
        .outerjoin(Clarification, Clarification.tipoff_id == Tipoff.id)
        .where(Tipoff.enterprise_id == enterprise_id)
        .order_by(Tipoff.received_at.desc(), Tipoff.id.desc())
        .limit(limit)
    )
    return [
        PublicTipoff(
            ticket_number=number,
            received_at=received,
            category=category,
            state=state,
            outcome=outcome if state == "closed" else None,
            clarification_id=clarification_id,
        )
        for number, received, category, state, outcome, clarification_id in rows
    ]


def enterprise_by_id(enterprise_id: int | None) -> Enterprise | None:
    """For the console's tip-off page: the enterprise a tip-off names."""
    return db.session.get(Enterprise, enterprise_id) if enterprise_id else None


# Labels.


def grade_label(enterprise: Enterprise):
    if enterprise.grade == "exempt" and enterprise.exempt_reason in industries.EXEMPT_LABELS:
        return industries.EXEMPT_LABELS[enterprise.exempt_reason]
    return industries.GRADE_LABELS.get(enterprise.grade, enterprise.grade)


def industry_label(enterprise: Enterprise, locale: str) -> str:
    return industries.label(enterprise.industry, enterprise.subtype, locale)
