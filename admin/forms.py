"""Console forms. They turn text into typed values; the domain decides what is allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from notify.models import ADVISORY_BLOCKS, Role

ROLE_CHOICES = [
    (Role.OFFICE_STAFF.value, _l("Office staff")),
    (Role.DEPUTY_COMMANDER.value, _l("Deputy commander")),
    (Role.COMMANDER.value, _l("Commander")),
    (Role.PUBLICITY.value, _l("Publicity group")),
    (Role.MEMBER_UNIT.value, _l("Member unit")),
    (Role.ADMIN.value, _l("Administrator")),
]
ROLE_NAMES = dict(ROLE_CHOICES)
APPROVER_CHOICES = ROLE_CHOICES[1:3]
DEGREE_CHOICES = ["", "轻度污染", "中度污染", "重度污染", "严重污染"]
POLLUTANT_CHOICES = ["", "PM2.5", "PM10", "O3", "SO2", "NO2", "CO"]


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime | None) -> datetime | None:
    """A wall-clock time typed in the console (Beijing time) as an aware UTC datetime."""
    if local is None:
        return None
    return local.replace(tzinfo=_zone()).astimezone(UTC)


@overload
def to_local(value: datetime) -> datetime: ...
@overload
def to_local(value: None) -> None: ...
def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(_zone()).replace(tzinfo=None)


class LocalDateTimeField(DateTimeLocalField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label, validators or [Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs
        )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __call__(self, **kwargs):
        # The class lays each box out beside its own label (site.css), whatever form holds it.
        kwargs.setdefault("class_", "checklist")
        return super().__call__(**kwargs)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ProposalForm(FlaskForm):
    version = HiddenField()
    level = SelectField(_l("Level"), validators=[DataRequired()])
    headline_zh = StringField(_l("Headline (Chinese)"), validators=[DataRequired(), Length(max=200)])
    headline_en = StringField(_l("Headline (English)"), validators=[Length(max=300)])
    area_scope = SelectField(
        _l("Area"), choices=[("county", _l("Whole county")), ("townships", _l("Selected townships"))]
    )
    townships = MultiCheckboxField(_l("Townships"), coerce=int, validate_choice=False)
    consultation = SelectField(_l("Consultation record"), coerce=int, validate_choice=False)
    trend = TextAreaField(_l("Trend of meteorological conditions"), validators=[Length(max=2000)])
    episode_start = LocalDateTimeField(_l("Episode starts"))
    episode_end = LocalDateTimeField(_l("Episode ends"))
    aqi_min = IntegerField(_l("AQI from"), validators=[Optional(), NumberRange(0, 2000)])
    aqi_max = IntegerField(_l("AQI to"), validators=[Optional(), NumberRange(0, 2000)])
    degree = SelectField(_l("Degree of pollution"), choices=[(c, c or "—") for c in DEGREE_CHOICES])
    primary_pollutant = SelectField(
        _l("Primary pollutant"), choices=[(c, c or "—") for c in POLLUTANT_CHOICES]
    )
    response_start_at = LocalDateTimeField(_l("Response starts"))
    confirm_overlap = BooleanField(
        _l("I have seen the warning in force and mean to save a second one of this kind over this area")
    )


for _block in ADVISORY_BLOCKS:
    setattr(ProposalForm, f"adv_{_block}_zh", TextAreaField(validators=[Length(max=20000)]))
    setattr(ProposalForm, f"adv_{_block}_en", TextAreaField(validators=[Length(max=20000)]))


def advisories_from_form(form: ProposalForm) -> dict[str, list[dict[str, str]]]:
    """One paragraph per line; the English line at the same position renders the Chinese one."""
    result = {}
    for block in ADVISORY_BLOCKS:
        zh = [
            line.strip()
            for line in (getattr(form, f"adv_{block}_zh").data or "").splitlines()
            if line.strip()
        ]
        en = [
            line.strip()
            for line in (getattr(form, f"adv_{block}_en").data or "").splitlines()
            if line.strip()
        ]
        result[block] = [{"zh": z, "en": en[i] if i < len(en) else ""} for i, z in enumerate(zh)]
    return result


def advisories_to_form(form: ProposalForm, advisories: dict) -> None:
    for block in ADVISORY_BLOCKS:
        items = advisories.get(block) or []
        getattr(form, f"adv_{block}_zh").data = "\n".join(i.get("zh", "") for i in items)
        getattr(form, f"adv_{block}_en").data = "\n".join(i.get("en", "") for i in items)


class SubmitForm(FlaskForm):
    """The office's half of the approval form (附件5)."""

    version = HiddenField(validators=[DataRequired()])
    basis = TextAreaField(_l("Basis for publishing (lifting)"), validators=[DataRequired(), Length(max=4000)])
    main_content = TextAreaField(_l("Main content"), validators=[DataRequired(), Length(max=4000)])
    department_opinion = TextAreaField(
        _l("Opinion of the applying department's leader"), validators=[DataRequired(), Length(max=2000)]
    )
    planned_publish_at = LocalDateTimeField(_l("Planned publication time"))


class DecisionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    decision = SelectField(
        choices=[("approve", _l("Approve")), ("return", _l("Return")), ("reject", _l("Reject"))]
    )
    opinion = TextAreaField(_l("Opinion of the county government leader"), validators=[Length(max=2000)])
    audience_size = HiddenField()
    confirm_audience = BooleanField(_l("I have checked the audience size"))


class PublishForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    audience_size = HiddenField()
    confirm_audience = BooleanField(_l("I have checked who this goes to"))


class ConsultationForm(FlaskForm):
    source = SelectField(
        _l("Source"),
        choices=[("consultation", _l("Forecast consultation")), ("city_notice", _l("City warning notice"))],
    )
    concluded_at = LocalDateTimeField(_l("Concluded at"), validators=[DataRequired()])
    conclusion = TextAreaField(_l("Conclusion"), validators=[DataRequired(), Length(max=4000)])
    reporter = StringField(_l("Reporter"), validators=[DataRequired(), Length(max=100)])
    reviewer = StringField(_l("Reviewer"), validators=[Length(max=100)])
    expert_opinion = TextAreaField(_l("Opinion of the expert group"), validators=[Length(max=4000)])
    forecast_daily_aqi = StringField(
        _l("Forecast daily AQI, one value per day"),
        validators=[
            Optional(),
            Regexp(
                r"^\s*\d{1,4}(\s*[,，\s]\s*\d{1,4})*\s*$", message=_l("Whole numbers separated by commas.")
            ),
        ],
    )


class MemberUnitForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z0-9_]+$", message=_l("Lower-case letters, digits and _ only.")),
        ],
    )
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=150)])
    phone = StringField(
        _l("Phone"), validators=[Length(max=40), Regexp(r"^[0-9+\- ]*$", message=_l("Digits, + and - only."))]
    )
    active = BooleanField(_l("Receives warnings"), default=True)
    oversees_schools = BooleanField(
        _l("In charge of schools (its users see school contacts' whole numbers and export them)")
    )


class TownshipForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=100)])
    phone = StringField(
        _l("Phone"), validators=[Length(max=40), Regexp(r"^[0-9+\- ]*$", message=_l("Digits, + and - only."))]
    )


class ExpertForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=50)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=100)])
    organisation_zh = StringField(_l("Organisation"), validators=[Length(max=100)])
    title_zh = StringField(_l("Position and title"), validators=[Length(max=100)])


class UserForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(min=2, max=50),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, _ . - only.")),
        ],
    )
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    member_unit = SelectField(_l("Member unit"), coerce=int, validate_choice=False)
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    password = PasswordField(_l("New password"), validators=[Optional(), Length(max=200)])
    active = BooleanField(_l("Active"), default=True)
    totp_required = BooleanField(_l("Requires a second factor (approvers and administrators)"))
    totp_reset = BooleanField(_l("Remove the enrolled second factor (a lost phone)"))


class LevelForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=50)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=80)])
    colour = StringField(
        _l("Colour"),
        validators=[DataRequired(), Regexp(r"^#[0-9A-Fa-f]{6}$", message=_l("A colour like #F2C500."))],
    )
    approver_role = SelectField(_l("Approved by"), choices=APPROVER_CHOICES)
    criteria_zh = TextAreaField(_l("Criteria (Chinese)"), validators=[Length(max=4000)])
    criteria_en = TextAreaField(_l("Criteria (English)"), validators=[Length(max=4000)])
    criteria_rule = TextAreaField(_l("Criteria rule (JSON)"), validators=[Length(max=4000)])


for _block in ADVISORY_BLOCKS:
    setattr(LevelForm, f"adv_{_block}_zh", TextAreaField(validators=[Length(max=20000)]))
    setattr(LevelForm, f"adv_{_block}_en", TextAreaField(validators=[Length(max=20000)]))


# Tip-offs (issue 5). One form carries any handling action; the guard decides what is allowed
# and which fields each action needs.
from notify.tipoffs.text import clean as clean_text  # noqa: E402  (NUL and control characters)


class TipoffActionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), filters=[clean_text], validators=[Length(max=2000)])
    unit_id = SelectField(_l("Member unit"), coerce=int, validate_choice=False)
    duplicate_of = StringField(
        _l("Ticket number of the original"), filters=[clean_text], validators=[Length(max=30)]
    )
    outcome = SelectField(_l("Finding"), validate_choice=False)
    reply = TextAreaField(_l("Reply to the reporter"), filters=[clean_text], validators=[Length(max=4000)])
    extension_days = IntegerField(
        _l("Extend by (days)"),
        validators=[Optional(), NumberRange(1, 30, message=_l("An extension is 1 to 30 days."))],
    )
    title_zh = StringField(_l("Title (Chinese)"), filters=[clean_text], validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), filters=[clean_text], validators=[Length(max=300)])
    body_zh = TextAreaField(_l("Text (Chinese)"), filters=[clean_text], validators=[Length(max=10000)])
    body_en = TextAreaField(_l("Text (English)"), filters=[clean_text], validators=[Length(max=10000)])
    warning_id = SelectField(_l("Link to the warning in force"), coerce=int, validate_choice=False)
    amount = StringField(_l("Amount (yuan)"), filters=[clean_text], validators=[Length(max=20)])
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    payment_reference = StringField(
        _l("Payment reference"), filters=[clean_text], validators=[Length(max=100)]
    )


class TipoffPhotoForm(FlaskForm):
    public = BooleanField(_l("Approved for public pages"))
