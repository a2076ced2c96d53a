"""The education bureau's export of one revision's school notices: XLSX (a summary sheet per
township and a sheet of every school) or CSV (the schools), times in the jurisdiction's zone.

Every row goes through safe_row: a head's name typed on the public acknowledgement page must not
become a formula in the bureau's spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from notify.models import Revision
from notify.schools import dashboard
from notify.schools.registry import type_label
from notify.spreadsheet_cells import safe_row


def _time(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _via(value: str | None) -> str:
    return {"link": _("link"), "sms": _("SMS reply")}.get(value or "", "")


def _status(value: str) -> str:
    return {
        "delivered": _("delivered"),
        "undelivered": _("not reached"),
        "failed": _("not reached"),
        "dead": _("not reached"),
        "expired": _("not reached"),
    }.get(value, _("sending"))


def summary_header() -> list[str]:
    return [
        _("Township"),
        pgettext("number of schools", "Schools"),
        _("Acknowledged"),
        _("Of which after the reminder"),
        _("SMS delivered"),
        _("Not reached"),
        _("Still sending"),
        _("Not acknowledged"),
        _("Reminded"),
        _("Reported to the bureau"),
    ]


def school_header() -> list[str]:
    return [
        _("Township"),
        _("School code"),
        _("School"),
        _("Type"),
        _("Head"),
        _("Phone"),
        _("Duty contact"),
        _("Duty phone"),
        _("SMS"),
        _("Acknowledged at"),
        _("Acknowledged by"),
        _("How"),
        _("Reminded at"),
        _("Reported at"),
    ]


def school_rows(revision: Revision, tz: ZoneInfo) -> list[list[str]]:
    return [
        [
            s["township_zh"],
            s["code"],
            s["name"],
            type_label(s["type"]),
            s["head_name"],
            s["phone"],
            s["duty_name"],
            s["duty_phone"] or "",
            _status(s["sms_status"]),
            _time(s["acknowledged_at"], tz),
            s["acknowledged_by"],
            _via(s["acknowledged_via"]),
            _time(s["reminded_at"], tz),
            _time(s["reported_at"], tz),
        ]
        for s in dashboard.schools(revision.id)
    ]


def xlsx(revision: Revision, tz: ZoneInfo, now: datetime) -> bytes:
    rows, total = dashboard.by_township(revision.id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")
    sheet.append(safe_row([f"{revision.headline_zh}（{revision.warning.reference} #{revision.sequence}）"]))
    sheet.append(safe_row([_("Published"), _time(revision.published_at, tz), _("Exported"), _time(now, tz)]))
    sheet.append([])
    sheet.append(summary_header())
    for row in [*rows, total]:
        c = row.counts
        sheet.append(
            safe_row(
                [
                    row.name_zh,
                    c["schools"],
                    c["acknowledged"],
                    c["after_reminder"],
                    c["delivered"],
                    c["not_reached"],
                    c["in_flight"],
                    c["silent"],
                    c["reminded"],
                    c["reported"],
                ]
            )
        )
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    detail = book.create_sheet(_("Schools"))
    detail.append(school_header())
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for line in school_rows(revision, tz):
        detail.append(safe_row(line))
    for ws in (sheet, detail):
        for column in ws.columns:
            width = max((len(str(c.value or "")) for c in column), default=8)
            ws.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 40)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(revision: Revision, tz: ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(school_header())
    writer.writerows(safe_row(line) for line in school_rows(revision, tz))
    # With a BOM, so that Excel on Chinese Windows opens it as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
