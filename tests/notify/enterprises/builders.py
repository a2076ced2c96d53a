"""create_* builders for enterprise data: each test states what it needs and nothing else."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from notify.enterprises.credit_code import check_character
from notify.extensions import db
from notify.models import Enterprise, Jurisdiction, ProductionLine, ReductionList, ReductionMeasure, Township

_serial = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    """A valid made-up credit code (industry and commerce, enterprise, Yu County's division)."""
    body = f"91140322MA{(n or next(_serial)):07d}"
    return body + check_character(body)


def create_enterprise(jurisdiction: Jurisdiction, **overrides: Any) -> Enterprise:
    township = (
        overrides.pop("township", None)
        or db.session.scalars(
            select(Township).where(Township.jurisdiction_id == jurisdiction.id).order_by(Township.code)
        ).first()
    )
    n = next(_serial)
    values: dict[str, Any] = {
        "credit_code": credit_code(n),
        "name": f"测试企业{n}有限公司",
        "industry": "lime_kiln",
        "subtype": "",
        "grade": "C",
        "so2_tpa": 10.0,
        "nox_tpa": 20.0,
        "pm_tpa": 5.0,
        "vocs_tpa": 0.0,
        "env_officer": "环保专员",
        "env_officer_phone": f"+86139{n:08d}",
    }
    values.update(overrides)
    enterprise = Enterprise(jurisdiction=jurisdiction, township=township, **values)
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def create_line(enterprise: Enterprise, **overrides: Any) -> ProductionLine:
    values: dict[str, Any] = {
        "name": f"{len(enterprise.lines) + 1}号生产线",
        "processes": "煅烧",
        "capacity_eia": 600.0,
        "capacity_permit": 550.0,
        "capacity_actual": 500.0,
        "position": len(enterprise.lines),
    }
    values.update(overrides)
    line = ProductionLine(**values)
    enterprise.lines.append(line)
    db.session.flush()
    return line


def create_reduction_list(
    jurisdiction: Jurisdiction, *measures: dict[str, Any], **overrides: Any
) -> ReductionList:
    """A list with the given measures, e.g. {"industry": "lime_kiln", "grade": "C",
    "response": "III", "text_zh": "停产50%，以生产线计", "action": {"stop_share": 50}}."""
    version = overrides.pop("version", None) or 1 + (
        db.session.scalar(
            select(ReductionList.version)
            .where(ReductionList.jurisdiction_id == jurisdiction.id)
            .order_by(ReductionList.version.desc())
        )
        or 0
    )
    values: dict[str, Any] = {
        "year": 2023,
        "title": "测试减排清单",
        "targets": {"III": 20, "II": 30, "I": 40},
        "exemption": {"max_kg_per_year": 100},
    }
    values.update(overrides)
    reduction_list = ReductionList(jurisdiction=jurisdiction, version=version, **values)
    for position, m in enumerate(measures):
        reduction_list.measures.append(ReductionMeasure(position=position, **{"subtype": "", **m}))
    db.session.add(reduction_list)
    db.session.flush()
    return reduction_list
