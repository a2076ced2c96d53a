"""Reading the enterprise registry for the console: the list with its search and filters, counts
per grade, one enterprise with its lines, and who hears about its silence."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from notify.enterprises import credit_code
from notify.extensions import db
from notify.models import Enterprise, EnterpriseContact, ProductionLine

PAGE_SIZE = 100


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to: a name or credit-code fragment, a township, an industry
    (with its sub-type, "" for the industry proper, None for any) and a grade."""

    text: str = ""
    township_id: int | None = None
    industry: str = ""
    subtype: str | None = None
    grade: str = ""


def _filtered(jurisdiction_id: int, filters: Filters, *, with_grade: bool = True) -> Select:
    query = select(Enterprise).where(Enterprise.jurisdiction_id == jurisdiction_id)
    text = filters.text.strip().replace("%", "").replace("_", "")
    if text:
        query = query.where(
            or_(
                Enterprise.name.like(f"%{text}%"),
                Enterprise.credit_code.like(f"{credit_code.normalise(text)}%"),
            )
        )
    if filters.township_id is not None:
        query = query.where(Enterprise.township_id == filters.township_id)
    if filters.industry:
        query = query.where(Enterprise.industry == filters.industry)
        if filters.subtype is not None:
            query = query.where(Enterprise.subtype == filters.subtype)
    if filters.grade and with_grade:
        query = query.where(Enterprise.grade == filters.grade)
    return query


def search(jurisdiction_id: int, filters: Filters, page: int = 1) -> tuple[list[Enterprise], bool]:
    """One page of the enterprises the filters select, and whether another page follows."""
    rows = list(
        db.session.scalars(
            _filtered(jurisdiction_id, filters)
            .options(selectinload(Enterprise.township), selectinload(Enterprise.lines))
            .order_by(Enterprise.township_id, Enterprise.industry, Enterprise.name)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def grade_counts(jurisdiction_id: int, filters: Filters) -> dict[str, int]:
    """Active enterprises per grade among those the other filters select (the grade itself not
    applied, so every grade's count shows next to the one chosen)."""
    chosen = (
        _filtered(jurisdiction_id, filters, with_grade=False).where(Enterprise.active.is_(True)).subquery()
    )
    return {
        grade: n
        for grade, n in db.session.execute(select(chosen.c.grade, func.count()).group_by(chosen.c.grade))
    }


def total(jurisdiction_id: int) -> tuple[int, int]:
    """(enterprises, production lines) in the registry."""
    enterprises = db.session.scalar(
        select(func.count(Enterprise.id)).where(Enterprise.jurisdiction_id == jurisdiction_id)
    )
    lines = db.session.scalar(
        select(func.count(ProductionLine.id))
        .join(Enterprise, Enterprise.id == ProductionLine.enterprise_id)
        .where(Enterprise.jurisdiction_id == jurisdiction_id)
    )
    return enterprises or 0, lines or 0


def enterprise(jurisdiction_id: int, enterprise_id: int) -> Enterprise | None:
    found = db.session.get(Enterprise, enterprise_id)
    return found if found is not None and found.jurisdiction_id == jurisdiction_id else None


def contacts_for(enterprise: Enterprise) -> list[EnterpriseContact]:
    """Who hears about this enterprise's silence: its township's contacts, then the bureau's."""
    return list(
        db.session.scalars(
            select(EnterpriseContact)
            .where(
                EnterpriseContact.jurisdiction_id == enterprise.jurisdiction_id,
                EnterpriseContact.active.is_(True),
                or_(
                    EnterpriseContact.township_id == enterprise.township_id,
                    EnterpriseContact.township_id.is_(None),
                ),
            )
            .order_by(EnterpriseContact.township_id.is_(None), EnterpriseContact.id)
        )
    )


def contacts(jurisdiction_id: int) -> list[EnterpriseContact]:
    return list(
        db.session.scalars(
            select(EnterpriseContact)
            .where(EnterpriseContact.jurisdiction_id == jurisdiction_id)
            .order_by(EnterpriseContact.township_id.is_not(None), EnterpriseContact.township_id)
        )
    )
