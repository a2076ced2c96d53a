"""The enterprise registry and the enterprises' production lines, imported from CSV through the
shared importer (notify.registry_csv): every line checked first, all written or none.

Enterprises (one row each; English or Chinese headers): credit_code 统一社会信用代码, name 企业名称,
township 乡镇 (code or name), address 地址, latitude 纬度, longitude 经度, industry 行业 and
subtype 子类 (附件11's industries and sub-types, by code or Chinese name), grade 绩效分级 (A–D,
引领性, 非引领性, 豁免), exempt_reason 豁免原因 (保民生, 以热定产, 小微涉气企业; only and always
with 豁免), annual emissions so2 / nox / pm / vocs (t/a), freight 年运输量 (t/a), truck_standard
运输车辆排放标准, legal_person 法定代表人, env_officer 环保负责人, env_officer_phone 环保负责人电话
(duties are sent there), robot 机器人 (optional). A credit code already registered is updated.

Production lines come in a second file, since their enterprise must be registered first:
credit_code 统一社会信用代码, name 生产线, processes 工序 (separated by 、 or commas), emits 涉气,
capacity_eia 环评批复产能, capacity_permit 排污许可产能, capacity_actual 上年实际产量, unit 单位.
附件11 computes a limit on the smallest of the three daily figures (ProductionLine.basis).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify import registry_csv
from notify.channels import phone
from notify.enterprises import credit_code, industries
from notify.extensions import db
from notify.models import Enterprise, Jurisdiction, ProductionLine, Robot, Township
from notify.models.enterprises import EXEMPT_REASONS, GRADES, POLLUTANTS, TRUCK_STANDARDS
from notify.registry_csv import ImportReport

MAX_ROWS = 5_000
LINES_MAX_ROWS = 20_000
# A row of either file is well under this many bytes: the console reads no more of an upload.
BYTES_PER_ROW = 600

COLUMNS = (
    "credit_code",
    "name",
    "township",
    "address",
    "latitude",
    "longitude",
    "industry",
    "subtype",
    "grade",
    "exempt_reason",
    *(f"{p}_tpa" for p in POLLUTANTS),
    "freight_tpa",
    "truck_standard",
    "legal_person",
    "env_officer",
    "env_officer_phone",
    "robot",
    "classified",
)
REQUIRED = ("credit_code", "name", "township", "industry", "grade", "env_officer_phone")
HEADER_ALIASES = {
    "统一社会信用代码": "credit_code",
    "社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "credit code": "credit_code",
    "企业名称": "name",
    "名称": "name",
    "企业": "name",
    "乡镇": "township",
    "所属乡镇": "township",
    "地址": "address",
    "企业地址": "address",
    "纬度": "latitude",
    "lat": "latitude",
    "经度": "longitude",
    "lon": "longitude",
    "lng": "longitude",
    "行业": "industry",
    "行业类别": "industry",
    "子类": "subtype",
    "行业子类": "subtype",
    "细分类型": "subtype",
    "绩效分级": "grade",
    "绩效等级": "grade",
    "绩效级别": "grade",
    "豁免原因": "exempt_reason",
    "豁免理由": "exempt_reason",
    "二氧化硫": "so2_tpa",
    "so2": "so2_tpa",
    "氮氧化物": "nox_tpa",
    "nox": "nox_tpa",
    "颗粒物": "pm_tpa",
    "pm": "pm_tpa",
    "挥发性有机物": "vocs_tpa",
    "vocs": "vocs_tpa",
    "年运输量": "freight_tpa",
    "运输量": "freight_tpa",
    "货运量": "freight_tpa",
    "freight": "freight_tpa",
    "运输车辆排放标准": "truck_standard",
    "车辆排放标准": "truck_standard",
    "运输车辆": "truck_standard",
    "法定代表人": "legal_person",
    "法人": "legal_person",
    "环保负责人": "env_officer",
    "环保专员": "env_officer",
    "环保负责人电话": "env_officer_phone",
    "环保专员电话": "env_officer_phone",
    "联系电话": "env_officer_phone",
    "phone": "env_officer_phone",
    "机器人": "robot",
    "涉密": "classified",
}
LINE_COLUMNS = (
    "credit_code",
    "name",
    "processes",
    "emits",
    "capacity_eia",
    "capacity_permit",
    "capacity_actual",
    "unit",
)
LINE_REQUIRED = ("credit_code", "name")
LINE_HEADER_ALIASES = {
    "统一社会信用代码": "credit_code",
    "社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "credit code": "credit_code",
    "生产线": "name",
    "生产线名称": "name",
    "line": "name",
    "工序": "processes",
    "生产工序": "processes",
    "涉气": "emits",
    "是否涉气": "emits",
    "环评批复产能": "capacity_eia",
    "环评产能": "capacity_eia",
    "排污许可产能": "capacity_permit",
    "排污许可载明产能": "capacity_permit",
    "上年实际产量": "capacity_actual",
    "前一年实际产量": "capacity_actual",
    "上年实际产能": "capacity_actual",
    "单位": "unit",
}
# How a sheet writes a grade: the codes, the appendix's words, A级 …; an exempt reason in the
# grade column means 豁免 for that reason.
GRADE_CELLS = {
    "A": "A",
    "B": "B",
    "C": "C",
    "D": "D",
    "leading": "引领性",
    "non_leading": "非引领性",
    "exempt": "豁免",
}
EXEMPT_CELLS = {"livelihood": "保民生", "heat_based": "以热定产", "micro": "小微涉气企业"}
TRUCK_ALIASES = {
    **{f"国{zh}": f"china{n}" for n, zh in ((3, "三"), (4, "四"), (5, "五"), (6, "六"))},
    **{f"国{n}": f"china{n}" for n in (3, 4, 5, 6)},
    **{f"国{r}": f"china{n}" for n, r in ((3, "Ⅲ"), (4, "Ⅳ"), (5, "Ⅴ"), (6, "Ⅵ"))},
    **{f"国{r}": f"china{n}" for n, r in ((3, "III"), (4, "IV"), (5, "V"), (6, "VI"))},
    "电动": "electric",
    "纯电动": "electric",
    "新能源": "electric",
}
TRUCK_CELLS = {"china3": "国三", "china4": "国四", "china5": "国五", "china6": "国六", "electric": "电动"}
YES = ("是", "涉气", "y", "yes", "true", "1")
NO = ("否", "不涉气", "n", "no", "false", "0")
_PROCESS_SEPARATORS = re.compile(r"[,，、;；]+")

TEMPLATE_CSV = (
    "统一社会信用代码,企业名称,乡镇,地址,纬度,经度,行业,子类,绩效分级,豁免原因,"
    "SO2(t/a),NOx(t/a),PM(t/a),VOCs(t/a),年运输量(t/a),运输车辆排放标准,"
    "法定代表人,环保负责人,环保负责人电话,机器人\n"
    "91140322MA0X000017,盂县示例石灰有限公司,秀水镇,盂县秀水镇东关村,38.0861,113.4123,石灰窑,,B,,"
    "12.5,30.2,8.1,0,150000,国五,张三,李四,13912345678,\n"
    "91140322MA0X00002A,盂县示例热力有限公司,南娄镇,盂县南娄镇北庄村,38.0512,113.3630,其他类行业,,豁免,以热定产,"
    "20,25,4,0,30000,国六,王五,赵六,13912345679,\n"
)
LINES_TEMPLATE_CSV = (
    "统一社会信用代码,生产线,工序,涉气,环评批复产能,排污许可产能,上年实际产量,单位\n"
    "91140322MA0X000017,1号石灰窑,破碎、煅烧,是,600,550,500,t/d\n"
    "91140322MA0X000017,2号石灰窑,破碎、煅烧,是,600,600,480,t/d\n"
)


def grade_cell(grade: str) -> str:
    """A grade as a sheet (and the appendix) writes it: A … D, 引领性, 非引领性, 豁免."""
    return GRADE_CELLS.get(grade, grade)


def exempt_cell(reason: str) -> str:
    return EXEMPT_CELLS.get(reason, reason)


def truck_cell(standard: str) -> str:
    return TRUCK_CELLS.get(standard, standard)


@dataclass
class _Lookups:
    townships: dict[str, int] = field(default_factory=dict)
    robots: dict[str, int] = field(default_factory=dict)
    enterprises: dict[str, int] = field(default_factory=dict)  # credit code → id
    # Production lines: a known line keeps its place; a new one goes after its enterprise's last.
    positions: dict[tuple[int, str], int] = field(default_factory=dict)
    next_position: dict[int, int] = field(default_factory=dict)
    phones: dict[str, tuple[str, int]] = field(default_factory=dict)  # phone → (code, line) in the file


def _enterprise_lookups(j: Jurisdiction) -> _Lookups:
    lookups = _Lookups()
    for t in db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id)):
        lookups.townships[t.code] = lookups.townships[t.name_zh] = t.id
    for r in db.session.scalars(select(Robot).where(Robot.jurisdiction_id == j.id, Robot.active.is_(True))):
        lookups.robots[str(r.id)] = lookups.robots[r.name] = r.id
    return lookups


def _claim_phone(values: dict[str, Any], line: int, lookups: _Lookups) -> str | None:
    """A duty's SMS goes to one phone per revision: two enterprises on one phone would leave one
    without its link, so a phone belongs to one enterprise (as a school's does)."""
    number = values["env_officer_phone"]
    if number in lookups.phones:
        other, other_line = lookups.phones[number]
        return str(
            _l(
                "%(phone)s is already the phone of enterprise %(code)s on line %(line)d; a phone "
                "belongs to one enterprise.",
                phone=number,
                code=other,
                line=other_line,
            )
        )
    lookups.phones[number] = (values["credit_code"], line)
    return None


def _phones_of_others(
    j: Jurisdiction, rows: dict[Any, dict[str, Any]], lookups: _Lookups
) -> list[tuple[int, str]]:
    """Phones of enterprises the file does not touch stay theirs."""
    errors = []
    for code, name, number in db.session.execute(
        select(Enterprise.credit_code, Enterprise.name, Enterprise.env_officer_phone).where(
            Enterprise.jurisdiction_id == j.id
        )
    ):
        if code in rows or number not in lookups.phones:
            continue
        _code, line = lookups.phones[number]
        errors.append(
            (
                line,
                str(
                    _l(
                        "%(phone)s is already the phone of enterprise %(other)s (%(name)s) in the registry.",
                        phone=number,
                        other=code,
                        name=name,
                    )
                ),
            )
        )
    return errors


def _line_lookups(j: Jurisdiction) -> _Lookups:
    lookups = _Lookups()
    lookups.enterprises = dict(
        db.session.execute(
            select(Enterprise.credit_code, Enterprise.id).where(Enterprise.jurisdiction_id == j.id)
        ).all()
    )
    for enterprise_id, name, position in db.session.execute(
        select(ProductionLine.enterprise_id, ProductionLine.name, ProductionLine.position)
        .join(Enterprise, Enterprise.id == ProductionLine.enterprise_id)
        .where(Enterprise.jurisdiction_id == j.id)
    ):
        lookups.positions[(enterprise_id, name)] = position
        lookups.next_position[enterprise_id] = max(lookups.next_position.get(enterprise_id, 0), position + 1)
    return lookups


# ---- one enterprise row -------------------------------------------------------------------------


def _check_enterprise(row: dict[str, str], lookups: _Lookups) -> dict[str, Any] | str:
    """The enterprise a row describes, or why it cannot be one."""
    values: dict[str, Any] = {}
    for part in (_identity, _place, _classification, _quantities, _contacts, _secrecy):
        result = part(row, lookups)
        if isinstance(result, str):
            return result
        values.update(result)
    return values


def code_problem(code: str) -> str | None:
    """Why a cell is not a valid unified social credit code, in words; None if it is one."""
    match credit_code.problem(code):
        case None:
            return None
        case "length":
            return str(
                _l(
                    "Credit code “%(value)s” has %(n)d characters; a unified social credit code has 18.",
                    value=code,
                    n=len(credit_code.normalise(code)),
                )
            )
        case "characters":
            return str(
                _l(
                    "Credit code “%(value)s” holds characters a credit code cannot have "
                    "(digits and capital letters, never I, O, Z, S or V).",
                    value=code,
                )
            )
        case _:
            normal = credit_code.normalise(code)
            return str(
                _l(
                    "Credit code “%(value)s” fails its check character: by GB 32100 the 18th "
                    "character would be %(expected)s, not %(found)s.",
                    value=code,
                    expected=credit_code.check_character(normal[:17]),
                    found=normal[17],
                )
            )


def _identity(row: dict[str, str], _lookups: _Lookups) -> dict[str, Any] | str:
    code = credit_code.normalise(row.get("credit_code", ""))
    if not code:
        return str(_l("The credit code is missing."))
    problem = code_problem(code)
    if problem:
        return problem
    name = row.get("name", "")
    if not name:
        return str(_l("The enterprise name is missing."))
    limits = {"name": 200, "address": 300, "legal_person": 100, "env_officer": 100}
    for key, limit in limits.items():
        if len(row.get(key, "")) > limit:
            return str(
                _l("%(column)s is longer than %(n)d characters.", column=SPEC.header_label(key), n=limit)
            )
    return {k: row.get(k, "") for k in limits} | {"credit_code": code}


def _place(row: dict[str, str], lookups: _Lookups) -> dict[str, Any] | str:
    township_id = lookups.townships.get(row.get("township", ""))
    if township_id is None:
        return str(_l("Unknown township “%(value)s”.", value=row.get("township", "")))
    lat, lon = row.get("latitude", ""), row.get("longitude", "")
    if bool(lat) != bool(lon):
        return str(_l("A map point needs both latitude and longitude."))
    if not lat:
        return {"township_id": township_id, "latitude": None, "longitude": None}
    point = []
    for value, limit, what in ((lat, 90, _l("Latitude")), (lon, 180, _l("Longitude"))):
        number = _float(value)
        if number is None or abs(number) > limit:
            return str(
                _l(
                    "%(what)s must be a number of degrees between -%(limit)d and %(limit)d, not “%(value)s”.",
                    what=str(what),
                    limit=limit,
                    value=value,
                )
            )
        point.append(number)
    return {"township_id": township_id, "latitude": point[0], "longitude": point[1]}


def _classification(row: dict[str, str], _lookups: _Lookups) -> dict[str, Any] | str:
    kind = _industry(row.get("industry", ""), row.get("subtype", ""))
    if isinstance(kind, str):
        return kind
    industry, subtype = kind
    graded = _grade(row.get("grade", ""), row.get("exempt_reason", ""))
    if isinstance(graded, str):
        return graded
    grade, reason = graded
    if grade not in industries.grades_for(industry, subtype):
        return str(
            _l(
                "Grade %(grade)s is not one 附件11 gives to %(industry)s (its grades: %(grades)s).",
                grade=grade_cell(grade),
                industry=industries.label(industry, subtype),
                grades=", ".join(grade_cell(g) for g in industries.grades_for(industry, subtype)),
            )
        )
    return {"industry": industry, "subtype": subtype, "grade": grade, "exempt_reason": reason}


def _industry(industry_cell: str, subtype_cell: str) -> tuple[str, str] | str:
    found = industries.find(industry_cell) if industry_cell else None
    if found is None:
        return str(
            _l(
                "Unknown industry “%(value)s” (附件11: %(names)s).",
                value=industry_cell,
                names="、".join(i.name_zh for i in industries.INDUSTRIES.values()),
            )
        )
    industry, subtype = found
    if not subtype_cell:
        return industry, subtype
    entry = industries.INDUSTRIES[industry]
    named = next(
        (s.code for s in entry.subtypes.values() if s.code and subtype_cell in (s.code, s.name_zh)), None
    )
    if named is None or (subtype and named != subtype):
        return str(
            _l(
                "“%(value)s” is not a sub-type of %(industry)s (%(names)s).",
                value=subtype_cell,
                industry=entry.name_zh,
                names="、".join(s.name_zh for s in entry.subtypes.values() if s.code) or "—",
            )
        )
    return industry, named


def _grade(grade_text: str, reason_text: str) -> tuple[str, str] | str:
    """(grade, exempt reason): the reason is given exactly when the grade is exempt. A reason in
    the grade column (保民生 …) is read as 豁免 for that reason."""
    reason = _exempt_code(reason_text) if reason_text else ""
    if reason is None:
        return str(
            _l(
                "Unknown exempt reason “%(value)s” (保民生, 以热定产 or 小微涉气企业).",
                value=reason_text,
            )
        )
    grade = _grade_code(grade_text)
    reason_as_grade = _exempt_code(grade_text)
    if grade is None and reason_as_grade:
        if reason and reason != reason_as_grade:
            return str(
                _l(
                    "The grade says %(grade)s but the exempt reason says %(reason)s.",
                    grade=grade_text,
                    reason=reason_text,
                )
            )
        grade, reason = "exempt", reason_as_grade
    if grade is None:
        return str(_l("Unknown grade “%(value)s” (A, B, C, D, 引领性, 非引领性 or 豁免).", value=grade_text))
    if grade == "exempt" and not reason:
        return str(_l("An exempt enterprise needs its reason: 保民生, 以热定产 or 小微涉气企业."))
    if grade != "exempt" and reason:
        return str(
            _l(
                "Only an exempt enterprise has an exempt reason; this one is graded %(grade)s.",
                grade=grade_cell(grade),
            )
        )
    return grade, reason


def _grade_code(text: str) -> str | None:
    if text in GRADES:
        return text
    if text.upper() in ("A", "B", "C", "D"):
        return text.upper()
    return industries.GRADE_ALIASES.get(text) or industries.GRADE_ALIASES.get(text.upper())


def _exempt_code(text: str) -> str | None:
    if text in EXEMPT_REASONS:
        return text
    return industries.EXEMPT_ALIASES.get(text)


def _quantities(row: dict[str, str], _lookups: _Lookups) -> dict[str, Any] | str:
    values: dict[str, Any] = {}
    labels = {"so2_tpa": "SO2", "nox_tpa": "NOx", "pm_tpa": "PM", "vocs_tpa": "VOCs"}
    labels["freight_tpa"] = str(_l("Freight volume"))
    for key, what in labels.items():
        amount = _amount(row.get(key, ""), what)
        if isinstance(amount, str):
            return amount
        values[key] = amount or 0.0
    text = row.get("truck_standard", "")
    standard = text if text in TRUCK_STANDARDS else TRUCK_ALIASES.get(text.upper(), TRUCK_ALIASES.get(text))
    if text and standard is None:
        return str(
            _l(
                "Unknown truck emission standard “%(value)s” (国三, 国四, 国五, 国六 or 电动).",
                value=text,
            )
        )
    return values | {"truck_standard": standard or ""}


def _contacts(row: dict[str, str], lookups: _Lookups) -> dict[str, Any] | str:
    try:
        number = phone.normalise(row.get("env_officer_phone", ""))
    except phone.InvalidNumber:
        return str(
            _l(
                "Environmental officer's phone “%(value)s” is not a mobile number SMS can reach.",
                value=row.get("env_officer_phone", ""),
            )
        )
    robot_id = None
    if row.get("robot"):
        robot_id = lookups.robots.get(row["robot"])
        if robot_id is None:
            return str(_l("Unknown robot “%(value)s”; register it first.", value=row["robot"]))
    return {"env_officer_phone": number, "robot_id": robot_id}


def _secrecy(row: dict[str, str], _lookups: _Lookups) -> dict[str, Any] | str:
    """涉密: 001 §五 publishes the grading of every enterprise but the classified ones."""
    text = row.get("classified", "").strip().lower()
    if text in ("", "否", "no", "0", "false"):
        return {"classified": False}
    if text in ("是", "yes", "1", "true"):
        return {"classified": True}
    return str(_l("涉密 (classified) must be 是 or 否, not “%(value)s”.", value=row.get("classified", "")))


def _float(text: str) -> float | None:
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _amount(text: str, what: str) -> float | None | str:
    """A quantity of zero or more; None for an empty cell; the reason for anything else."""
    if not text:
        return None
    number = _float(text)
    if number is None:
        return str(_l("%(what)s must be a number, not “%(value)s”.", what=what, value=text))
    if number < 0:
        return str(_l("%(what)s cannot be negative (%(value)s).", what=what, value=text))
    return number


# ---- one production line row --------------------------------------------------------------------


def _check_line(row: dict[str, str], lookups: _Lookups) -> dict[str, Any] | str:
    code = credit_code.normalise(row.get("credit_code", ""))
    enterprise_id = lookups.enterprises.get(code)
    if enterprise_id is None:
        return code_problem(code) or str(
            _l(
                "No enterprise with credit code %(code)s is registered; import the enterprises first.",
                code=code,
            )
        )
    name = row.get("name", "")
    if not name or len(name) > 100:
        return str(_l("A production line needs a name of at most 100 characters."))
    processes = ",".join(p.strip() for p in _PROCESS_SEPARATORS.split(row.get("processes", "")) if p.strip())
    if len(processes) > 300:
        return str(_l("The processes are longer than 300 characters."))
    emits_text = row.get("emits", "").lower()
    if emits_text and emits_text not in YES + NO:
        return str(_l("涉气 (emits) must be 是 or 否, not “%(value)s”.", value=row.get("emits", "")))
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "name": name,
        "processes": processes,
        "emits": emits_text not in NO,
    }
    labels = {
        "capacity_eia": "环评批复产能",
        "capacity_permit": "排污许可产能",
        "capacity_actual": "上年实际产量",
    }
    for key, what in labels.items():
        amount = _amount(row.get(key, ""), what)
        if isinstance(amount, str):
            return amount
        values[key] = amount
    unit = row.get("unit", "") or "t/d"
    if len(unit) > 20:
        return str(_l("The unit is longer than 20 characters."))
    values["unit"] = unit
    values["position"] = _position(lookups, enterprise_id, name)
    return values


def _position(lookups: _Lookups, enterprise_id: int, name: str) -> int:
    known = lookups.positions.get((enterprise_id, name))
    if known is not None:
        return known
    position = lookups.next_position.get(enterprise_id, 0)
    lookups.next_position[enterprise_id] = position + 1
    return position


def _existing_lines(j: Jurisdiction) -> dict[Any, int]:
    return {
        (enterprise_id, name): line_id
        for line_id, enterprise_id, name in db.session.execute(
            select(ProductionLine.id, ProductionLine.enterprise_id, ProductionLine.name)
            .join(Enterprise, Enterprise.id == ProductionLine.enterprise_id)
            .where(Enterprise.jurisdiction_id == j.id)
        )
    }


def _enterprise_duplicate(code: Any, line: int) -> str:
    return str(_l("Credit code %(code)s is already on line %(line)d.", code=code, line=line))


def _line_duplicate(key: Any, line: int) -> str:
    return str(
        _l(
            "Production line “%(name)s” of this enterprise is already on line %(line)d.",
            name=key[1],
            line=line,
        )
    )


def _in_jurisdiction(j: Jurisdiction) -> dict[str, Any]:
    return {"jurisdiction_id": j.id}


SPEC = registry_csv.RegistrySpec(
    name="enterprises",
    model=Enterprise,
    columns=COLUMNS,
    required=REQUIRED,
    aliases=HEADER_ALIASES,
    parse=_check_enterprise,
    key=("credit_code",),
    duplicate=_enterprise_duplicate,
    max_rows=MAX_ROWS,
    lookups=_enterprise_lookups,
    scope=_in_jurisdiction,
    claim=_claim_phone,
    check_file=_phones_of_others,
    written_always={"active": True},
)
LINES_SPEC = registry_csv.RegistrySpec(
    name="production_lines",
    model=ProductionLine,
    columns=LINE_COLUMNS,
    required=LINE_REQUIRED,
    aliases=LINE_HEADER_ALIASES,
    parse=_check_line,
    key=("enterprise_id", "name"),
    duplicate=_line_duplicate,
    max_rows=LINES_MAX_ROWS,
    lookups=_line_lookups,
    existing=_existing_lines,
    timestamps=False,
)


def import_csv(j: Jurisdiction, raw: bytes) -> ImportReport:
    return registry_csv.import_csv(SPEC, j, raw)


def import_lines_csv(j: Jurisdiction, raw: bytes) -> ImportReport:
    return registry_csv.import_csv(LINES_SPEC, j, raw)


IMPORTERS: dict[str, Callable[[Jurisdiction, bytes], ImportReport]] = {
    "enterprises": import_csv,
    "lines": import_lines_csv,
}
