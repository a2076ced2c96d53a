"""A jurisdiction's reduction list (应急减排清单) as data: loading a version, reading the current
one, and choosing an enterprise's measure from it.

The list is revised every year (001 §六(四)); a revision is a new version, never an edit of the
old one, so a duty written with version 1 (EnterpriseDuty.list_id) keeps meaning what it said.
The bundled lists are `lists/yu_county_2023.json` (000 附件11, transcribed cell by cell) and
`lists/wuan_2024.json` (illustrative: seed 001 prints no table).

choose() reads one cell: an exempt enterprise is exempt with its reason; otherwise the exact
(industry, sub-type, grade, response) cell; 露天开采 stops whatever the grade, so any of its
cells at that response will do; a cell the appendix prints "——" has no entry and means no
mandatory measure (measure_id None, text "").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from notify.enterprises import industries
from notify.enterprises.measures import Action
from notify.extensions import db
from notify.models import AlertKind, Jurisdiction, Level, ReductionList, ReductionMeasure
from notify.models.enterprises import GRADES, POLLUTANTS, RESPONSES

LISTS_DIR = Path(__file__).parent / "lists"
# The bundled list of each jurisdiction by its GB/T 2260 code.
BUNDLED = {"140322": "yu_county_2023.json", "130481": "wuan_2024.json"}
# Industries whose cell holds for every grade (全部停产 spans the grade columns).
ANY_GRADE = frozenset({"open_pit_mining"})
HEAVY_POLLUTION = "heavy_pollution"

_TOP_FIELDS = frozenset(
    {"jurisdiction", "year", "title", "source", "targets", "exemption", "notes", "illustrative", "measures"}
)
_CELL_FIELDS = frozenset({"industry", "subtype", "grade", "response", "text_zh", "action"})
_EXEMPTION_NUMBERS = ("max_kg_per_year",)
_EXEMPTION_FLAGS = (
    "single_pollutant",
    "no_coal_or_oil",
    "no_toxic_or_odorous",
    "seasonal_daily_basis",
    "subject_to_city_target",
)

Key = tuple[str, str, str, str]  # industry, subtype, grade, response


@dataclass(frozen=True)
class MeasureChoice:
    measure_id: int | None
    text_zh: str
    action: dict[str, Any] = field(default_factory=dict)
    exempt: bool = False
    exempt_reason: str = ""

    @property
    def mandatory(self) -> bool:
        """Whether the enterprise has something to do (an exempt or "——" cell has not)."""
        return self.measure_id is not None and not self.exempt


NO_MEASURE = MeasureChoice(measure_id=None, text_zh="")


def current_list(jurisdiction_id: int) -> ReductionList | None:
    """The jurisdiction's highest version."""
    return db.session.scalar(
        select(ReductionList)
        .where(ReductionList.jurisdiction_id == jurisdiction_id)
        .order_by(ReductionList.version.desc())
        .limit(1)
    )


def measures_by_key(reduction_list: ReductionList | None) -> dict[Key, ReductionMeasure]:
    if reduction_list is None:
        return {}
    rows = db.session.scalars(select(ReductionMeasure).where(ReductionMeasure.list_id == reduction_list.id))
    return {(m.industry, m.subtype, m.grade, m.response): m for m in rows}


def choose(
    table: Mapping[Key, ReductionMeasure],
    *,
    industry: str,
    subtype: str,
    grade: str,
    exempt_reason: str,
    response: str,
) -> MeasureChoice:
    if grade == "exempt":
        return MeasureChoice(measure_id=None, text_zh="", exempt=True, exempt_reason=exempt_reason)
    measure = table.get((industry, subtype, grade, response))
    if measure is None and industry in ANY_GRADE:
        measure = next(
            (table[k] for g in GRADES if (k := (industry, subtype, g, response)) in table),
            None,
        )
    if measure is None:
        return NO_MEASURE
    return MeasureChoice(measure_id=measure.id, text_zh=measure.text_zh, action=dict(measure.action or {}))


def micro_eligible(emissions: Mapping[str, float], rule: Mapping[str, Any]) -> bool:
    """附件11 备注 (2) as far as the registry tells: at most `max_kg_per_year` in all (emissions
    are tonnes a year) and, where the rule asks for a single pollutant, at most one above zero.

    The rule's other conditions (no coal or oil burnt, nothing toxic or odorous, seasonal
    plants reckoned by the day) are not in the registry: whoever grades the enterprise exempt
    checks them. An empty rule (Wu'an has no such exemption) exempts nobody.
    """
    limit_kg = rule.get("max_kg_per_year")
    if limit_kg is None:
        return False
    figures = [float(emissions.get(p) or 0.0) for p in POLLUTANTS]
    if any(f < 0 for f in figures):
        return False
    if sum(figures) * 1000 > float(limit_kg):
        return False
    return not (rule.get("single_pollutant", True) and sum(1 for f in figures if f > 0) > 1)


def load_list(jurisdiction: Jurisdiction, data: Any) -> ReductionList:
    """Store `data` as the jurisdiction's next version; ValueError(reason) if anything is wrong.

    Nothing is written unless every cell is good. The caller commits.
    """
    if not isinstance(data, Mapping):
        raise ValueError("the list must be a JSON object")
    unknown = sorted(set(data) - _TOP_FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}")
    code = data.get("jurisdiction")
    if code is not None and str(code) != jurisdiction.code:
        raise ValueError(f"jurisdiction: the list is for {code}, not {jurisdiction.code}")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2200:
        raise ValueError(f"year: {year!r} is not a year")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title: the list needs a title")
    source = data.get("source", "")
    notes = data.get("notes", [])
    if not isinstance(source, str):
        raise ValueError("source: must be text")
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise ValueError("notes: must be a list of texts")
    responses = _responses_of(jurisdiction)
    targets = _targets(data.get("targets", {}), responses)
    exemption = _exemption(data.get("exemption", {}))
    cells = _cells(data.get("measures"), responses)

    version = 1 + (
        db.session.scalar(
            select(func.max(ReductionList.version)).where(ReductionList.jurisdiction_id == jurisdiction.id)
        )
        or 0
    )
    reduction_list = ReductionList(
        jurisdiction_id=jurisdiction.id,
        version=version,
        year=year,
        title=title.strip(),
        # The model has no notes column: the transcriber's notes travel with the source.
        source="\n".join([source.strip(), *(f"· {n}" for n in notes)]).strip(),
        targets=targets,
        exemption=exemption,
    )
    db.session.add(reduction_list)
    db.session.flush()
    db.session.execute(insert(ReductionMeasure), [{"list_id": reduction_list.id, **cell} for cell in cells])
    db.session.expire(reduction_list, ["measures"])
    return reduction_list


def seed_list(jurisdiction: Jurisdiction) -> ReductionList | None:
    """The jurisdiction's bundled list, loaded once: a jurisdiction that has a list keeps it."""
    name = BUNDLED.get(jurisdiction.code)
    if name is None:
        return None
    existing = current_list(jurisdiction.id)
    if existing is not None:
        return existing
    return load_list(jurisdiction, read_bundled(jurisdiction.code))


def read_bundled(code: str) -> dict[str, Any]:
    return json.loads((LISTS_DIR / BUNDLED[code]).read_text(encoding="utf-8"))


def _responses_of(jurisdiction: Jurisdiction) -> frozenset[str]:
    """The responses this jurisdiction's heavy-pollution levels lead to (their numerals)."""
    numerals = db.session.scalars(
        select(Level.numeral)
        .join(AlertKind, Level.kind_id == AlertKind.id)
        .where(AlertKind.jurisdiction_id == jurisdiction.id, AlertKind.code == HEAVY_POLLUTION)
    )
    return frozenset(n for n in numerals if n in RESPONSES)


def _percent(value: Any, name: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError(f"{name}: {value!r} is not a percentage from 0 to 100")
    return value


def _targets(raw: Any, responses: frozenset[str]) -> dict[str, float | int]:
    if not isinstance(raw, Mapping):
        raise ValueError('targets: must be an object such as {"III": 20, "II": 30, "I": 40}')
    for response in raw:
        _check_response(response, responses, "targets")
    return {r: _percent(v, f"targets.{r}") for r, v in raw.items()}


def _exemption(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValueError("exemption: must be an object")
    for name in _EXEMPTION_NUMBERS:
        value = raw.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
            raise ValueError(f"exemption.{name}: {value!r} is not a non-negative number")
    for name in _EXEMPTION_FLAGS:
        if name in raw and not isinstance(raw[name], bool):
            raise ValueError(f"exemption.{name}: must be true or false")
    return dict(raw)


def _check_response(response: Any, responses: frozenset[str], where: str) -> None:
    if response not in RESPONSES:
        raise ValueError(f"{where}: response {response!r} is not one of {', '.join(RESPONSES)}")
    if response not in responses:
        raise ValueError(
            f"{where}: response {response} is not a level of this jurisdiction's heavy-pollution warnings"
        )


def _cells(raw: Any, responses: frozenset[str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise ValueError("measures: the list has no cells")
    seen: set[Key] = set()
    cells = []
    for position, cell in enumerate(raw):
        where = f"measures[{position}]"
        if not isinstance(cell, Mapping):
            raise ValueError(f"{where}: must be an object")
        unknown = sorted(set(cell) - _CELL_FIELDS)
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r}")
        industry, subtype = cell.get("industry"), cell.get("subtype", "")
        grade, response = cell.get("grade"), cell.get("response")
        if not isinstance(industry, str) or industry not in industries.INDUSTRIES:
            raise ValueError(f"{where}: unknown industry {industry!r}")
        if not isinstance(subtype, str) or subtype not in industries.INDUSTRIES[industry].subtypes:
            raise ValueError(f"{where}: {industry} has no sub-type {subtype!r}")
        if grade == "exempt" or grade not in industries.grades_for(industry, subtype):
            raise ValueError(f"{where}: {industry}/{subtype or '-'} cannot hold grade {grade!r}")
        _check_response(response, responses, where)
        text = cell.get("text_zh")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: text_zh is empty")
        try:
            action = Action.from_dict(cell.get("action", {}))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        key: Key = (industry, subtype, str(grade), str(response))
        if key in seen:
            raise ValueError(f"{where}: duplicate cell {industry}/{subtype or '-'} {grade} at {response}")
        seen.add(key)
        cells.append(
            {
                "industry": industry,
                "subtype": subtype,
                "grade": grade,
                "response": response,
                "text_zh": text.strip(),
                "action": action.to_dict(),
                "position": position,
            }
        )
    return cells
