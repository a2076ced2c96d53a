"""The ecology bureau's export of one revision's enterprise duties: XLSX with a summary sheet per
township (counts, expected and confirmed reduction) and a sheet of every duty, times in the
jurisdiction's zone.

Every row goes through safe_row: the note an enterprise types when it confirms its measures must
not become a formula in the bureau's spreadsheet.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from notify.enterprises import dashboard, industries
from notify.models import Revision
from notify.models.enterprises import POLLUTANTS
from notify.spreadsheet_cells import safe_row

_TONNES = "0.000"


def _time(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _pollutant(p: str) -> str:
    return str(dashboard.POLLUTANT_LABELS[p])


def _grade(code: str) -> str:
    label = industries.GRADE_LABELS.get(code)
    return str(label) if label is not None else code


def _sms(value: str) -> str:
    if value == "delivered":
        return _("delivered")
    if value in dashboard.NOT_REACHED:
        return _("not reached")
    return _("sending")


def summary_header() -> list[str]:
    return [
        _("Township"),
        _("Enterprises"),
        _("Ordered to stop or limit"),
        _("Exempt"),
        _("SMS delivered"),
        _("Not reached"),
        _("Received"),
        _("In place"),
        _("Of which late"),
        _("Overdue"),
        _("Not yet due"),
        *(_("Expected %(pollutant)s (t/d)", pollutant=_pollutant(p)) for p in POLLUTANTS),
        *(_("Confirmed %(pollutant)s (t/d)", pollutant=_pollutant(p)) for p in POLLUTANTS),
        *(_("Confirmed %(pollutant)s (%%)", pollutant=_pollutant(p)) for p in POLLUTANTS),
    ]


def summary_row(row: dashboard.Row) -> list[Any]:
    c = row.counts
    return [
        row.name_zh,
        c["enterprises"],
        c["ordered"],
        c["exempt"],
        c["delivered"],
        c["not_reached"],
        c["received"],
        c["in_place"],
        c["late"],
        c["overdue"],
        c["awaiting"],
        *(round(row.expected[p], 3) for p in POLLUTANTS),
        *(round(row.confirmed[p], 3) for p in POLLUTANTS),
        *(row.share(p) if row.share(p) is not None else "" for p in POLLUTANTS),
    ]


def duty_header() -> list[str]:
    return [
        _("Township"),
        _("Enterprise"),
        _("Credit code"),
        _("Industry"),
        _("Grade"),
        _("Measure"),
        _("Contact"),
        _("Phone"),
        _("SMS"),
        _("Due"),
        _("Received at"),
        _("In place at"),
        _("Note"),
        _("Overdue"),
        *(_("Expected %(pollutant)s (t/d)", pollutant=_pollutant(p)) for p in POLLUTANTS),
    ]


def _state(line: dict[str, Any]) -> str:
    if line["overdue"]:
        return _("overdue")
    if line["late"]:
        return _("in place late")
    return ""


def duty_rows(revision: Revision, tz: ZoneInfo, now: datetime) -> list[list[Any]]:
    return [
        [
            d["township_zh"],
            d["name"],
            d["credit_code"],
            industries.label(d["industry"], d["subtype"]),
            _grade(d["grade"]),
            d["text_zh"] if d["kind"] == "duty" else _("released"),
            d["contact"],
            d["phone"],
            _sms(d["sms_status"]),
            _time(d["due_at"], tz),
            _time(d["received_at"], tz),
            _time(d["in_place_at"], tz),
            d["note"],
            _state(d),
            *(round(d["reduction"][p], 3) for p in POLLUTANTS),
        ]
        for d in dashboard.duties(revision, now)
    ]


def _widen(sheet) -> None:
    for column in sheet.columns:
        width = max((len(str(c.value or "")) for c in column), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 40)


def xlsx(revision: Revision, tz: ZoneInfo, now: datetime) -> bytes:
    rows, total = dashboard.by_township(revision, now)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")
    sheet.append(safe_row([f"{revision.headline_zh}（{revision.warning.reference} #{revision.sequence}）"]))
    sheet.append(safe_row([_("Published"), _time(revision.published_at, tz), _("Exported"), _time(now, tz)]))
    sheet.append([])
    sheet.append(safe_row(summary_header()))
    for row in [*rows, total]:
        sheet.append(safe_row(summary_row(row)))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    first_tonnes = 12  # column L: the first expected reduction
    for line in sheet.iter_rows(
        min_row=5, min_col=first_tonnes, max_col=first_tonnes + 2 * len(POLLUTANTS) - 1
    ):
        for cell in line:
            cell.number_format = _TONNES
    detail = book.create_sheet(_("Duties"))
    detail.append(safe_row(duty_header()))
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for line in duty_rows(revision, tz, now):
        detail.append(safe_row(line))
    for ws in (sheet, detail):
        _widen(ws)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
