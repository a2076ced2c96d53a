"""Filing a daily report: through a unit's signed link or in the console, the same rules.

Every file is checked before anything is written, so a refused attachment loses nothing of
what was typed (the form comes back filled) and stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify import audit, clock
from notify.daily_reports import attachments
from notify.extensions import db
from notify.models import DailyReport, DailyReportAttachment, MemberUnit, ResponseDay, User


@dataclass
class ReportData:
    measures: str
    reporter_name: str
    inspections: int | None = 0
    problems_found: int | None = 0
    problems_fixed: int | None = 0
    notes: str = ""
    reporter_phone: str = ""


class ReportRejected(Exception):
    def __init__(self, errors: dict[str, object], status: int = 400):
        super().__init__(str(next(iter(errors.values()))))
        self.errors = errors
        self.status = status


def _validate(data: ReportData) -> dict[str, object]:
    errors: dict[str, object] = {}
    if not (data.measures or "").strip():
        errors["measures"] = _l("Describe the measures your unit took yesterday.")
    elif len(data.measures) > 5000:
        errors["measures"] = _l("At most 5,000 characters.")
    if not (data.reporter_name or "").strip():
        errors["reporter_name"] = _l("Give the name of the person reporting.")
    elif len(data.reporter_name) > 100:
        errors["reporter_name"] = _l("At most 100 characters.")
    if len(data.notes or "") > 2000:
        errors["notes"] = _l("At most 2,000 characters.")
    if len(data.reporter_phone or "") > 40:
        errors["reporter_phone"] = _l("At most 40 characters.")
    for name in ("inspections", "problems_found", "problems_fixed"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 100000:
            errors[name] = _l("A number from 0 to 100,000.")
    if not errors and (data.problems_fixed or 0) > (data.problems_found or 0):
        errors["problems_fixed"] = _l("More problems fixed than found.")
    return errors


def existing(day: ResponseDay, unit: MemberUnit) -> DailyReport | None:
    return db.session.scalar(
        select(DailyReport).where(
            DailyReport.response_day_id == day.id, DailyReport.member_unit_id == unit.id
        )
    )


def file_report(
    day: ResponseDay,
    unit: MemberUnit,
    data: ReportData,
    files: list[tuple[str, bytes]],
    *,
    via: str,
    user: User | None = None,
    now: datetime | None = None,
) -> DailyReport:
    now = now or clock.now()
    if unit.jurisdiction_id != day.warning.jurisdiction_id:
        raise ReportRejected({"unit": _l("This unit is not part of this response.")}, status=403)
    errors = _validate(data)
    files = [(n, b) for n, b in files if n or b]
    if len(files) > attachments.MAX_FILES:
        errors["attachments"] = _l("At most %(n)d attachments.", n=attachments.MAX_FILES)
    checked = []
    if "attachments" not in errors:
        for name, content in files:
            try:
                checked.append(attachments.check(name, content))
            except attachments.AttachmentRejected as err:
                errors["attachments"] = err.message
                if err.status == 413:
                    raise ReportRejected({**errors}, status=413) from err
                break
    if errors:
        raise ReportRejected(errors)
    report = existing(day, unit)
    if report is not None and day.closed_at is not None:
        raise ReportRejected(
            {
                "measures": _l(
                    "Your unit's report for this day was filed and the day is closed; call the office "
                    "to correct it."
                )
            },
            status=409,
        )
    if report is not None and len(report.attachments) + len(checked) > attachments.MAX_FILES:
        raise ReportRejected({"attachments": _l("At most %(n)d attachments.", n=attachments.MAX_FILES)})
    amended = report is not None
    if report is None:
        report = DailyReport(
            response_day=day, member_unit_id=unit.id, filed_at=now, via=via, measures="", reporter_name=""
        )
        db.session.add(report)
    report.measures = data.measures.strip()
    report.inspections = data.inspections or 0
    report.problems_found = data.problems_found or 0
    report.problems_fixed = data.problems_fixed or 0
    report.notes = (data.notes or "").strip()
    report.reporter_name = data.reporter_name.strip()
    report.reporter_phone = (data.reporter_phone or "").strip()
    report.via = via
    report.filed_by_id = user.id if user is not None else None
    report.filed_at = now
    report.late = now > day.due_at
    for item in checked:
        report.attachments.append(
            DailyReportAttachment(
                original_name=item.original_name,
                storage_name=attachments.store(item, now),
                content_type=item.content_type,
                size=len(item.data),
                sha256=item.sha256,
                uploaded_at=now,
            )
        )
    db.session.flush()
    late = "（逾期）" if report.late else ""
    audit.record(
        "daily_report.amended" if amended else "daily_report.filed",
        actor=user,
        actor_name=None if user else f"{report.reporter_name}（{unit.name_zh}）",
        subject=report,
        warning_id=day.warning_id,
        at=now,
        summary=f"{unit.name_zh} {day.day:%m月%d日}日报{'更正' if amended else '报送'}{late}",
        detail={"via": via, "day": day.day.isoformat(), "attachments": len(checked), "late": report.late},
    )
    return report
