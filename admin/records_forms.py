"""Console forms of the timed work and records (issue 6)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from admin.forms import LocalDateTimeField
from notify.records.drills import ASSESSMENT


class PlainForm(FlaskForm):
    """A button that only needs the CSRF token."""


class SummaryForm(FlaskForm):
    measures_summary = TextAreaField(_l("Summary of the response measures"), validators=[Length(max=5000)])
    effects = TextAreaField(_l("Effects achieved"), validators=[Length(max=5000)])
    problems = TextAreaField(_l("Problems found"), validators=[Length(max=5000)])
    suggestions = TextAreaField(_l("Suggestions for improvement"), validators=[Length(max=5000)])
    filled_by = StringField(_l("Filled in by"), validators=[Length(max=100)])


class WrittenReportForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)])


class DrillRecordForm(FlaskForm):
    location = StringField(_l("Location"), validators=[Length(max=200)])
    organiser = StringField(_l("Organising department"), validators=[Length(max=200)])
    commander = StringField(_l("Commander"), validators=[Length(max=100)])
    participants = TextAreaField(_l("Departments and people taking part"), validators=[Length(max=5000)])
    method = StringField(_l("Method"), validators=[Length(max=200)])
    problems = TextAreaField(_l("Problems"), validators=[Length(max=5000)])
    improvements = TextAreaField(_l("Improvements"), validators=[Length(max=5000)])
    recorder = StringField(_l("Recorded by"), validators=[Length(max=100)])
    reviewer = StringField(_l("Reviewed by"), validators=[Length(max=100)])


for _field, (_label, _options) in ASSESSMENT.items():
    setattr(DrillRecordForm, f"a_{_field}", RadioField(_label, choices=_options, validators=[Optional()]))


class EvaluationForm(FlaskForm):
    organiser = StringField(_l("Organising unit"), validators=[Length(max=200)])
    lead = StringField(_l("Person in charge"), validators=[Length(max=100)])
    members = TextAreaField(_l("Members of the evaluation group"), validators=[Length(max=2000)])
    evaluated_at = LocalDateTimeField(_l("Evaluated at"))
    content = TextAreaField(_l("Evaluation"), validators=[Length(max=20000)])


class ContactForm(FlaskForm):
    duty = HiddenField()
    member_unit = StringField(_l("Member unit code"), validators=[Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Mobile"), validators=[DataRequired(), Length(max=40)])
