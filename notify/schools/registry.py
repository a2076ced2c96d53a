"""The school registry, imported from the education bureau's CSV: every line checked first, then
all written or none, with each refused line's number and reason.

Columns (header row required, any order; English or the Chinese the bureau's sheets use):
code 学校代码, name 学校名称, type 类型, township 乡镇, head_name 校长, head_phone 校长电话,
duty_name 值班人, duty_phone 值班电话, robot 机器人 (optional: a registered robot's id or name).
A code already in the registry is updated, so the same sheet can be imported again after
corrections. A phone belongs to one school only (head and duty of the same school may share
one): a reply "1" from it must name exactly one school. The reading, checking and writing are
the shared importer's (notify.registry_csv); this module says what a school row is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify import registry_csv
from notify.channels import phone
from notify.extensions import db
from notify.models import Jurisdiction, Robot, School, Township
from notify.models.schools import SCHOOL_TYPES
from notify.registry_csv import ImportReport

MAX_ROWS = 20_000
COLUMNS = ("code", "name", "type", "township", "head_name", "head_phone", "duty_name", "duty_phone", "robot")
REQUIRED = ("code", "name", "type", "township", "head_phone")
HEADER_ALIASES = {
    "学校代码": "code",
    "代码": "code",
    "学校名称": "name",
    "名称": "name",
    "学校": "name",
    "类型": "type",
    "学校类型": "type",
    "乡镇": "township",
    "所属乡镇": "township",
    "校长": "head_name",
    "负责人": "head_name",
    "校长电话": "head_phone",
    "负责人电话": "head_phone",
    "值班人": "duty_name",
    "值班人员": "duty_name",
    "值班电话": "duty_phone",
    "机器人": "robot",
}
TYPE_ALIASES = {
    "幼儿园": "kindergarten",
    "小学": "primary",
    "初中": "middle",
    "初级中学": "middle",
    "中学": "middle",
    "高中": "high",
    "高级中学": "high",
    "九年一贯制": "nine_year",
    "九年一贯制学校": "nine_year",
}
TEMPLATE_CSV = (
    "学校代码,学校名称,类型,乡镇,校长,校长电话,值班人,值班电话,机器人\n"
    "1403220001,盂县第一中学校,高中,秀水镇,张校长,13903534000,李老师,13903535000,\n"
)


def type_label(code: str) -> str:
    return str(
        {
            "kindergarten": _l("Kindergarten"),
            "primary": _l("Primary school"),
            "middle": _l("Middle school"),
            "high": _l("High school"),
            "nine_year": _l("Nine-year school"),
        }.get(code, code)
    )


@dataclass
class _Lookups:
    townships: dict[str, int] = field(default_factory=dict)
    robots: dict[str, int] = field(default_factory=dict)
    phones: dict[str, tuple[str, int]] = field(default_factory=dict)  # phone -> (code, line) in the file


def _lookups(j: Jurisdiction) -> _Lookups:
    lookups = _Lookups()
    for t in db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id)):
        lookups.townships[t.code] = lookups.townships[t.name_zh] = t.id
    for r in db.session.scalars(select(Robot).where(Robot.jurisdiction_id == j.id, Robot.active.is_(True))):
        lookups.robots[str(r.id)] = lookups.robots[r.name] = r.id
    return lookups


def _claim_phones(values: dict, line: int, lookups: _Lookups) -> str | None:
    """Why an earlier line of the file already holds one of this school's phones."""
    own = {values["head_phone"], values["duty_phone"]} - {None}
    clash = next(((p, lookups.phones[p]) for p in own if p in lookups.phones), None)
    if clash:
        number, (other, other_line) = clash
        return str(
            _l(
                "%(phone)s is already the phone of school %(code)s on line %(line)d; a phone "
                "belongs to one school.",
                phone=number,
                code=other,
                line=other_line,
            )
        )
    for p in own:
        lookups.phones[p] = (values["code"], line)
    return None


def _check_phones_of_others(
    j: Jurisdiction, rows: dict[str, dict], lookups: _Lookups
) -> list[tuple[int, str]]:
    """Phones of schools the file does not touch stay theirs."""
    errors = []
    for s in db.session.scalars(select(School).where(School.jurisdiction_id == j.id)):
        if s.code in rows:
            continue
        for p in {s.head_phone, s.duty_phone} - {None}:
            if p in lookups.phones:
                _code, line = lookups.phones[p]
                errors.append(
                    (
                        line,
                        str(
                            _l(
                                "%(phone)s is already the phone of school %(other)s (%(name)s) "
                                "in the registry.",
                                phone=p,
                                other=s.code,
                                name=s.name,
                            )
                        ),
                    )
                )
    return errors


def _free_head_phones(updates: list[dict]) -> list[dict]:
    # Two rows may swap phones: clear the updated rows' head phones first so the unique
    # constraint is checked against the final state, not a half-written one.
    return [{"id": u["id"], "head_phone": f"~{u['id']}"} for u in updates]


def _check_row(row: dict[str, str], lookups: _Lookups) -> dict | str:
    townships, robots = lookups.townships, lookups.robots
    code, name = row.get("code", ""), row.get("name", "")
    if not code:
        return str(_l("The school code is missing."))
    if len(code) > 40:
        return str(_l("The school code is longer than 40 characters."))
    if not name:
        return str(_l("The school name is missing."))
    if len(name) > 200:
        return str(_l("The school name is longer than 200 characters."))
    raw_type = row.get("type", "")
    school_type = TYPE_ALIASES.get(raw_type, raw_type.lower())
    if school_type not in SCHOOL_TYPES:
        return str(
            _l(
                "Unknown school type “%(value)s” (kindergarten, primary, middle, high, "
                "nine_year or 幼儿园, 小学, 初中, 高中, 九年一贯制).",
                value=raw_type,
            )
        )
    township_id = townships.get(row.get("township", ""))
    if township_id is None:
        return str(_l("Unknown township “%(value)s”.", value=row.get("township", "")))
    try:
        head_phone = phone.normalise(row.get("head_phone", ""))
    except phone.InvalidNumber:
        return str(
            _l(
                "Head's phone “%(value)s” is not a mobile number SMS can reach.",
                value=row.get("head_phone", ""),
            )
        )
    duty_phone = None
    if row.get("duty_phone"):
        try:
            duty_phone = phone.normalise(row["duty_phone"])
        except phone.InvalidNumber:
            return str(
                _l("Duty phone “%(value)s” is not a mobile number SMS can reach.", value=row["duty_phone"])
            )
    robot_id = None
    if row.get("robot"):
        robot_id = robots.get(row["robot"])
        if robot_id is None:
            return str(_l("Unknown robot “%(value)s”; register it first.", value=row["robot"]))
    for key in ("head_name", "duty_name"):
        if len(row.get(key, "")) > 100:
            return str(_l("A contact name is longer than 100 characters."))
    return {
        "code": code,
        "name": name,
        "type": school_type,
        "township_id": township_id,
        "head_name": row.get("head_name", ""),
        "head_phone": head_phone,
        "duty_name": row.get("duty_name", ""),
        "duty_phone": duty_phone,
        "robot_id": robot_id,
    }


SPEC = registry_csv.RegistrySpec(
    name="schools",
    model=School,
    columns=COLUMNS,
    required=REQUIRED,
    aliases=HEADER_ALIASES,
    parse=_check_row,
    key=("code",),
    duplicate=lambda code, line: str(
        _l("School code %(code)s is already on line %(line)d.", code=code, line=line)
    ),
    max_rows=MAX_ROWS,
    lookups=_lookups,
    scope=lambda j: {"jurisdiction_id": j.id},
    claim=_claim_phones,
    check_file=_check_phones_of_others,
    interim_updates=_free_head_phones,
    written_always={"active": True},
)


def import_csv(j: Jurisdiction, raw: bytes) -> ImportReport:
    # MAX_ROWS is read at call time, so that a deployment (or a test) may lower it.
    return registry_csv.import_csv(SPEC, j, raw, max_rows=MAX_ROWS)
