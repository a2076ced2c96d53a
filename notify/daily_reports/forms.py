"""The daily report form, shared by the units' link page and the console."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, MultipleFileField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from notify.daily_reports.filing import ReportData


class DailyReportForm(FlaskForm):
    # Lengths and required fields are checked by notify.daily_reports.filing, so the console,
    # the link page and any later API refuse the same things with the same words.
    measures = TextAreaField(_l("Measures taken yesterday"))
    inspections = IntegerField(
        _l("Enterprises and sites inspected"), validators=[Optional(), NumberRange(min=0)]
    )
    problems_found = IntegerField(_l("Problems found"), validators=[Optional(), NumberRange(min=0)])
    problems_fixed = IntegerField(_l("Problems put right"), validators=[Optional(), NumberRange(min=0)])
    notes = TextAreaField(_l("Other matters"))
    reporter_name = StringField(_l("Reported by"))
    reporter_phone = StringField(_l("Phone"))
    attachments = MultipleFileField(_l("Attachments (photos or PDF, up to 3, 10 MB each)"))

    def data_for_filing(self) -> ReportData:
        return ReportData(
            measures=self.measures.data or "",
            reporter_name=self.reporter_name.data or "",
            inspections=self.inspections.data,
            problems_found=self.problems_found.data,
            problems_fixed=self.problems_fixed.data,
            notes=self.notes.data or "",
            reporter_phone=self.reporter_phone.data or "",
        )

    def files(self) -> list[tuple[str, bytes]]:
        result = []
        for f in self.attachments.data or []:
            if f is None or not getattr(f, "filename", ""):
                continue
            # Read at most one byte past the limit: a larger file is refused without holding it all.
            result.append((f.filename, f.stream.read(10 * 1024 * 1024 + 1)))
        return result

    def mark(self, errors: dict) -> None:
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = list(field.errors) + [message]
