"""Importing recipients from a CSV file: every row checked first, then all written or none.

Columns (header row required, in any order): name, phone, township (code or Chinese name,
optional), locale (zh or en, optional; numbers outside China default to en). A phone already in
the group is updated, not duplicated, so the same list can be imported again after corrections.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from notify.channels import phone
from notify.extensions import db
from notify.models import AudienceGroup, Recipient, Township

REQUIRED = ("name", "phone")
MAX_ROWS = 200_000


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


def decode(raw: bytes) -> str:
    # Spreadsheets saved on Chinese Windows are GB18030 (a superset of GBK); others UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("not UTF-8 or GB18030 text")


def import_csv(group: AudienceGroup, raw: bytes) -> ImportReport:
    report = ImportReport()
    try:
        text = decode(raw)
    except ValueError:
        report.errors.append((0, str(_l("The file is not text in UTF-8 or GBK; save it as CSV."))))
        return report
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.errors.append(
            (1, str(_l("The header row lacks the column(s): %(cols)s", cols=", ".join(missing))))
        )
        return report
    reader.fieldnames = header
    townships = {}
    for t in db.session.scalars(select(Township).where(Township.jurisdiction_id == group.jurisdiction_id)):
        townships[t.code] = townships[t.name_zh] = t.id
    rows: dict[str, dict] = {}
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            report.errors.append((line, str(_l("More than %(n)d rows; split the file.", n=MAX_ROWS))))
            break
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        name = row.get("name", "")
        try:
            address = phone.normalise(row.get("phone", ""))
        except phone.InvalidNumber:
            report.errors.append(
                (
                    line,
                    str(_l("“%(value)s” is not a mobile number SMS can reach.", value=row.get("phone", ""))),
                )
            )
            continue
        township_id = None
        if row.get("township"):
            township_id = townships.get(row["township"])
            if township_id is None:
                report.errors.append((line, str(_l("Unknown township “%(value)s”.", value=row["township"]))))
                continue
        locale = row.get("locale") or ("zh" if phone.is_domestic(address) else "en")
        if locale not in ("zh", "en"):
            report.errors.append((line, str(_l("Locale must be zh or en, not “%(value)s”.", value=locale))))
            continue
        if address in rows:
            report.errors.append(
                (
                    line,
                    str(
                        _l(
                            "%(phone)s is already on line %(line)d.",
                            phone=address,
                            line=rows[address]["line"],
                        )
                    ),
                )
            )
            continue
        if len(name) > 200:
            report.errors.append((line, str(_l("The name is longer than 200 characters."))))
            continue
        rows[address] = {"line": line, "name": name, "township_id": township_id, "locale": locale}
    if report.errors:
        return report
    existing = dict(
        db.session.execute(
            select(Recipient.address, Recipient.id).where(
                Recipient.group_id == group.id, Recipient.channel == "sms"
            )
        ).all()
    )
    inserts = [
        {
            "group_id": group.id,
            "channel": "sms",
            "address": a,
            "name": r["name"],
            "township_id": r["township_id"],
            "locale": r["locale"],
            "active": True,
        }
        for a, r in rows.items()
        if a not in existing
    ]
    updates = [
        {
            "id": existing[a],
            "name": r["name"],
            "township_id": r["township_id"],
            "locale": r["locale"],
            "active": True,
        }
        for a, r in rows.items()
        if a in existing
    ]
    if inserts:
        db.session.execute(insert(Recipient), inserts)
    if updates:
        db.session.execute(update(Recipient), updates)
    report.added, report.updated = len(inserts), len(updates)
    return report
