"""What each level tells schools to do, as data: loaded with the jurisdiction, frozen into a
revision's snapshot at approval, rendered into each school's notice at publication.

Data format (a top-level "school_instructions" list in the jurisdiction JSON):
    {"kind": "heavy_pollution", "level": "red" | "*", "on": "active" | "lift",
     "measure": "stop_outdoor", "types": ["primary", ...] (optional; default every type),
     "zh": "...", "en": "...", "condition_zh": "...", "condition_en": "...",
     "starts": "publication_day" | "response_start" | "immediately"}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from notify.extensions import db
from notify.models import AlertKind, Jurisdiction, Revision, SchoolInstruction
from notify.models.schools import APPLIES_ON, MEASURES, SCHOOL_TYPES, STARTS


class InstructionError(ValueError):
    pass


def load(j: Jurisdiction, specs: list[dict[str, Any]]) -> int:
    """Add the instructions of a data document; raises InstructionError naming the bad entry."""
    kinds = {
        k.code: k for k in db.session.scalars(select(AlertKind).where(AlertKind.jurisdiction_id == j.id))
    }
    for position, spec in enumerate(specs):
        where = f"school_instructions[{position}]"
        code = spec.get("kind")
        kind = kinds.get(code) if isinstance(code, str) else None
        if kind is None:
            raise InstructionError(f"{where}: unknown kind {spec.get('kind')!r}")
        level = None
        if spec.get("level", "*") != "*":
            level = next((lv for lv in kind.levels if lv.code == spec["level"]), None)
            if level is None:
                raise InstructionError(f"{where}: unknown level {spec['level']!r} of {kind.code}")
        on = spec.get("on", "active")
        measure = spec.get("measure")
        starts = spec.get("starts", "publication_day" if on == "active" else "immediately")
        types = spec.get("types") or []
        if on not in APPLIES_ON or measure not in MEASURES or starts not in STARTS:
            raise InstructionError(f"{where}: on, measure or starts is not one of the known values")
        if not isinstance(types, list) or set(types) - set(SCHOOL_TYPES):
            raise InstructionError(f"{where}: types must be a list of {', '.join(SCHOOL_TYPES)}")
        if not spec.get("zh"):
            raise InstructionError(f"{where}: the Chinese text (zh) is missing")
        db.session.add(
            SchoolInstruction(
                kind=kind,
                level=level,
                applies_on=on,
                measure=measure,
                school_types=",".join(types),
                text_zh=spec["zh"],
                text_en=spec.get("en", ""),
                condition_zh=spec.get("condition_zh", ""),
                condition_en=spec.get("condition_en", ""),
                starts=starts,
                position=position,
            )
        )
    return len(specs)


def for_revision(revision: Revision) -> list[dict[str, Any]]:
    """The instructions a revision gives schools, in the form the snapshot keeps them."""
    on = "lift" if revision.action == "lift" else "active"
    rows = db.session.scalars(
        select(SchoolInstruction)
        .where(
            SchoolInstruction.kind_id == revision.warning.kind_id,
            SchoolInstruction.applies_on == on,
            or_(SchoolInstruction.level_id.is_(None), SchoolInstruction.level_id == revision.level_id),
        )
        .order_by(SchoolInstruction.position, SchoolInstruction.id)
    )
    return [
        {
            "measure": i.measure,
            "types": i.types,
            "zh": i.text_zh,
            "en": i.text_en,
            "condition_zh": i.condition_zh,
            "condition_en": i.condition_en,
            "starts": i.starts,
        }
        for i in rows
    ]


def frozen(revision: Revision) -> list[dict[str, Any]]:
    """The snapshot's instructions; a snapshot frozen before schools existed has none."""
    content = revision.snapshot.content if revision.snapshot else {}
    return list(content.get("school_instructions") or [])


def for_school_type(items: list[dict[str, Any]], school_type: str) -> list[dict[str, Any]]:
    return [i for i in items if not i.get("types") or school_type in i["types"]]


def start_of(
    item: dict[str, Any], *, published_at: datetime, response_start: datetime | None, tz: ZoneInfo
) -> tuple[datetime, str]:
    """When an instruction applies, and how the notice says it in Chinese."""
    if item["starts"] == "publication_day":
        local = published_at.astimezone(tz)
        return local.replace(hour=0, minute=0, second=0, microsecond=0), f"自{local.month}月{local.day}日起"
    at = (response_start or published_at) if item["starts"] == "response_start" else published_at
    local = at.astimezone(tz)
    return local, f"自{local.month}月{local.day}日{local:%H:%M}起"


def rendered(items: list[dict[str, Any]], **when: Any) -> list[dict[str, Any]]:
    """Items with their start written out: what the notice and the acknowledgement page show."""
    out = []
    for item in items:
        at, label = start_of(item, **when)
        out.append({**item, "from": at.isoformat(), "from_zh": label})
    return out


def sentence(item: dict[str, Any]) -> str:
    """One instruction as the SMS says it: 自11月23日起，（条件，）要做的事。"""
    condition = f"{item['condition_zh']}，" if item.get("condition_zh") else ""
    return f"{item['from_zh']}，{condition}{item['zh'].rstrip('。')}"
