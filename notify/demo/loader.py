"""Load a jurisdiction, its directory and its alert kinds from a JSON document.

This is how a county other than Yu County is set up: write its plan's levels, criteria and
advice as data (see notify/demo/data/*.json for the format) and run `flask load-jurisdiction`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from notify.extensions import db
from notify.lifecycle.criteria import validate_rule
from notify.models import (
    ADVISORY_BLOCKS,
    Advisory,
    AlertKind,
    AudienceGroup,
    AudienceRule,
    Expert,
    Jurisdiction,
    Level,
    MemberUnit,
    Role,
    Township,
)
from notify.schools import instructions

DATA_DIR = Path(__file__).resolve().parent / "data"
APPROVERS = {Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value}


class DataError(ValueError):
    pass


def read(path: str | Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: {exc}") from exc


def _level(kind: AlertKind, spec: dict[str, Any]) -> Level:
    if spec.get("approver_role") not in APPROVERS:
        raise DataError(
            f"level {kind.code}/{spec.get('code')}: approver_role must be one of {sorted(APPROVERS)}"
        )
    validate_rule(spec.get("criteria_rule"))
    level = Level(
        code=spec["code"],
        rank=int(spec["rank"]),
        name_zh=spec["name_zh"],
        name_en=spec["name_en"],
        numeral=spec.get("numeral", ""),
        colour=spec["colour"],
        response_level_zh=spec.get("response_level_zh", ""),
        response_level_en=spec.get("response_level_en", ""),
        approver_role=spec["approver_role"],
        cap_severity=spec.get("cap_severity", "Moderate"),
        criteria_zh=spec.get("criteria_zh", ""),
        criteria_en=spec.get("criteria_en", ""),
        criteria_rule=spec.get("criteria_rule"),
    )
    for block, items in (spec.get("advisories") or {}).items():
        if block not in ADVISORY_BLOCKS:
            raise DataError(f"level {kind.code}/{level.code}: unknown advisory block {block!r}")
        for position, item in enumerate(items):
            level.advisories.append(
                Advisory(block=block, position=position, text_zh=item["zh"], text_en=item.get("en", ""))
            )
    return level


def load_jurisdiction(data: dict[str, Any]) -> Jurisdiction:
    """Create a jurisdiction from a data document; refuses one whose code already exists."""
    try:
        spec = data["jurisdiction"]
        if db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == spec["code"])):
            raise DataError(f"jurisdiction {spec['code']} already exists")
        j = Jurisdiction(
            code=spec["code"],
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            parent_zh=spec.get("parent_zh", ""),
            parent_en=spec.get("parent_en", ""),
            timezone=spec.get("timezone", "Asia/Shanghai"),
            source=spec.get("source", ""),
        )
        db.session.add(j)
        for t in data.get("townships", []):
            db.session.add(
                Township(
                    jurisdiction=j,
                    code=t["code"],
                    name_zh=t["name_zh"],
                    name_en=t["name_en"],
                    phone=t.get("phone", ""),
                )
            )
        for i, u in enumerate(data.get("member_units", [])):
            db.session.add(
                MemberUnit(
                    jurisdiction=j,
                    code=u["code"],
                    name_zh=u["name_zh"],
                    name_en=u["name_en"],
                    phone=u.get("phone", ""),
                    position=i,
                    oversees_schools=bool(u.get("oversees_schools")),
                )
            )
        for e in data.get("experts", []):
            db.session.add(
                Expert(
                    jurisdiction=j,
                    **{
                        k: e.get(k, "")
                        for k in (
                            "name_zh",
                            "name_en",
                            "organisation_zh",
                            "organisation_en",
                            "title_zh",
                            "title_en",
                        )
                    },
                )
            )
        for position, k in enumerate(data.get("alert_kinds", [])):
            kind = AlertKind(
                jurisdiction=j,
                code=k["code"],
                name_zh=k["name_zh"],
                name_en=k["name_en"],
                graded=bool(k.get("graded", True)),
                cap_category=k.get("cap_category", "Env"),
                cap_event_zh=k.get("cap_event_zh", ""),
                cap_event_en=k.get("cap_event_en", ""),
                source=k.get("source", ""),
                position=position,
            )
            if not k.get("levels"):
                raise DataError(f"alert kind {kind.code} has no levels")
            for lv in k["levels"]:
                kind.levels.append(_level(kind, lv))
            db.session.add(kind)
        _load_audiences(j, data)
        db.session.flush()
        _load_school_instructions(j, data)
    except KeyError as exc:
        raise DataError(f"missing field {exc}") from exc
    return j


def _load_audiences(j: Jurisdiction, data: dict[str, Any]) -> None:
    """Groups and the rules saying which kinds and levels reach them ("*" = every level)."""
    groups = {}
    for g in data.get("audience_groups", []):
        groups[g["code"]] = AudienceGroup(
            jurisdiction=j,
            code=g["code"],
            name_zh=g["name_zh"],
            name_en=g["name_en"],
            is_test=bool(g.get("is_test")),
            is_open=bool(g.get("is_open")),
        )
        db.session.add(groups[g["code"]])
    db.session.flush()
    kinds = {k.code: k for k in db.session.scalars(select(AlertKind).where(AlertKind.jurisdiction == j))}
    for rule in data.get("audience_rules", []):
        kind = kinds.get(rule["kind"])
        group = groups.get(rule["group"])
        if kind is None or group is None:
            raise DataError(f"audience rule names an unknown kind or group: {rule}")
        level = None
        if rule.get("level", "*") != "*":
            level = next((lv for lv in kind.levels if lv.code == rule["level"]), None)
            if level is None:
                raise DataError(f"audience rule names an unknown level: {rule}")
        db.session.add(AudienceRule(kind=kind, level=level, group=group, channel=rule.get("channel", "sms")))


def _load_school_instructions(j: Jurisdiction, data: dict[str, Any]) -> None:
    """What each level (and each lifting) tells schools to do; see notify.schools.instructions."""
    try:
        instructions.load(j, data.get("school_instructions", []))
    except instructions.InstructionError as exc:
        raise DataError(str(exc)) from exc
