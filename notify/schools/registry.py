"""The school registry, imported from the education bureau's CSV: every line checked first, then
all written or none, with each refused line's number and reason.

Columns (header row required, any order; English or the Chinese the bureau's sheets use):
code 学校代码, name 学校名称, type 类型, township 乡镇, head_name 校长, head_phone 校长电话,
duty_name 值班人, duty_phone 值班电话, robot 机器人 (optional: a registered robot's id or name).
A code already in the registry is updated, so the same sheet can be imported again after
corrections. A phone belongs to one school only (head and duty of the same school may share
one): a reply "1" from it must name exactly one school.
"""

from __future__ import annotations

import csv

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from notify import clock
from notify.audience_csv import ImportReport, numbered_rows, open_rows
from notify.channels import phone
from notify.extensions import db
from notify.models import Jurisdiction, Robot, School, Township
from notify.models.schools import SCHOOL_TYPES

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


def _column(name: str) -> str:
    name = name.strip()
    return HEADER_ALIASES.get(name, name.lower())


def import_csv(j: Jurisdiction, raw: bytes) -> ImportReport:
    report = ImportReport()
    reader = open_rows(raw, REQUIRED, report, column=_column)
    if reader is None:
        return report
    rows, phones = _read_schools(j, reader, report)
    if report.errors:
        return report
    existing = {s.code: s for s in db.session.scalars(select(School).where(School.jurisdiction_id == j.id))}
    _check_phones_of_others(existing, rows, phones, report)
    if report.errors:
        report.errors.sort()
        return report
    _write(j, rows, existing, report)
    return report


def _read_schools(
    j: Jurisdiction, reader: csv.DictReader, report: ImportReport
) -> tuple[dict[str, dict], dict[str, tuple[str, int]]]:
    """The file's schools by code, and its phones (phone -> (code, line)); refused lines reported."""
    townships: dict[str, int] = {}
    for t in db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id)):
        townships[t.code] = townships[t.name_zh] = t.id
    robots: dict[str, int] = {}
    for r in db.session.scalars(select(Robot).where(Robot.jurisdiction_id == j.id, Robot.active.is_(True))):
        robots[str(r.id)] = robots[r.name] = r.id
    rows: dict[str, dict] = {}  # by code
    phones: dict[str, tuple[str, int]] = {}  # phone -> (code, line) within the file
    for line, row in numbered_rows(reader, report, MAX_ROWS):
        values = _check_row(row, townships, robots)
        if isinstance(values, str):
            report.errors.append((line, values))
            continue
        error = _clash_in_file(values, rows, phones)
        if error:
            report.errors.append((line, error))
            continue
        code = values["code"]
        for p in {values["head_phone"], values["duty_phone"]} - {None}:
            phones[p] = (code, line)
        rows[code] = {"line": line, **values}
    return rows, phones


def _clash_in_file(values: dict, rows: dict[str, dict], phones: dict[str, tuple[str, int]]) -> str | None:
    """Why an earlier line of the file already holds this school's code or one of its phones."""
    code = values["code"]
    if code in rows:
        return str(
            _l("School code %(code)s is already on line %(line)d.", code=code, line=rows[code]["line"])
        )
    clash = next(
        ((p, phones[p]) for p in {values["head_phone"], values["duty_phone"]} - {None} if p in phones),
        None,
    )
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
    return None


def _check_phones_of_others(
    existing: dict[str, School],
    rows: dict[str, dict],
    phones: dict[str, tuple[str, int]],
    report: ImportReport,
) -> None:
    """Phones of schools the file does not touch stay theirs."""
    for s in existing.values():
        if s.code in rows:
            continue
        for p in {s.head_phone, s.duty_phone} - {None}:
            if p in phones:
                _code, line = phones[p]
                report.errors.append(
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


def _write(j: Jurisdiction, rows: dict[str, dict], existing: dict[str, School], report: ImportReport) -> None:
    """Insert the new schools and update the known ones, all in one go."""
    now = clock.now()
    inserts, updates = [], []
    for code, row in rows.items():
        values = {
            k: row[k]
            for k in (
                "name",
                "type",
                "township_id",
                "head_name",
                "head_phone",
                "duty_name",
                "duty_phone",
                "robot_id",
            )
        }
        if code in existing:
            updates.append({"id": existing[code].id, **values, "active": True, "updated_at": now})
        else:
            inserts.append(
                {
                    "jurisdiction_id": j.id,
                    "code": code,
                    **values,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if updates:
        # Two rows may swap phones: clear the updated rows' head phones first so the unique
        # constraint is checked against the final state, not a half-written one.
        db.session.execute(update(School), [{"id": u["id"], "head_phone": f"~{u['id']}"} for u in updates])
        db.session.execute(update(School), updates)
    if inserts:
        db.session.execute(insert(School), inserts)
    report.added, report.updated = len(inserts), len(updates)


def _check_row(row: dict[str, str], townships: dict[str, int], robots: dict[str, int]) -> dict | str:
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
