"""Importing recipients from a CSV file: every row checked first, then all written or none.

Columns (header row required, in any order): name, phone, township (code or Chinese name,
optional), locale (zh or en, optional; numbers outside China default to en). A phone already in
the group is updated, not duplicated, so the same list can be imported again after corrections.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
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


def _plain_column(name: str) -> str:
    return name.strip().lower()


def open_rows(
    raw: bytes,
    required: Sequence[str],
    report: ImportReport,
    column: Callable[[str], str] = _plain_column,
) -> csv.DictReader | None:
    """A reader whose rows are keyed by column name, or None with the reason in the report."""
    try:
        text = decode(raw)
    except ValueError:
        report.errors.append((0, str(_l("The file is not text in UTF-8 or GBK; save it as CSV."))))
        return None
    reader = csv.DictReader(io.StringIO(text))
    header = [column(h) for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        report.errors.append(
            (1, str(_l("The header row lacks the column(s): %(cols)s", cols=", ".join(missing))))
        )
        return None
    reader.fieldnames = header
    return reader


def numbered_rows(
    reader: csv.DictReader, report: ImportReport, max_rows: int
) -> Iterator[tuple[int, dict[str, str]]]:
    """(Line number, trimmed cells) of every row that is not blank; past max_rows, an error."""
    for line, raw_row in enumerate(reader, start=2):
        if line - 1 > max_rows:
            report.errors.append((line, str(_l("More than %(n)d rows; split the file.", n=max_rows))))
            return
        row = {k: (v or "").strip() for k, v in raw_row.items() if k}
        if any(row.values()):
            yield line, row


def import_csv(group: AudienceGroup, raw: bytes) -> ImportReport:
    report = ImportReport()
    reader = open_rows(raw, REQUIRED, report)
    if reader is None:
        return report
    townships: dict[str, int] = {}
    for t in db.session.scalars(select(Township).where(Township.jurisdiction_id == group.jurisdiction_id)):
        townships[t.code] = townships[t.name_zh] = t.id
    rows: dict[str, dict] = {}
    for line, row in numbered_rows(reader, report, MAX_ROWS):
        recipient = _check_row(row, townships)
        if isinstance(recipient, str):
            report.errors.append((line, recipient))
            continue
        address = recipient["address"]
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
        if len(recipient["name"]) > 200:
            report.errors.append((line, str(_l("The name is longer than 200 characters."))))
            continue
        rows[address] = {"line": line, **recipient}
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


def _check_row(row: dict[str, str], townships: dict[str, int]) -> dict | str:
    """The recipient a row describes, or why it cannot be one."""
    try:
        address = phone.normalise(row.get("phone", ""))
    except phone.InvalidNumber:
        return str(_l("“%(value)s” is not a mobile number SMS can reach.", value=row.get("phone", "")))
    township_id = None
    if row.get("township"):
        township_id = townships.get(row["township"])
        if township_id is None:
            return str(_l("Unknown township “%(value)s”.", value=row["township"]))
    locale = row.get("locale") or ("zh" if phone.is_domestic(address) else "en")
    if locale not in ("zh", "en"):
        return str(_l("Locale must be zh or en, not “%(value)s”.", value=locale))
    return {"address": address, "name": row.get("name", ""), "township_id": township_id, "locale": locale}
