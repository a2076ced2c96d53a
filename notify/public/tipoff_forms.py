"""The public tip-off forms. They turn text into typed values; notify.tipoffs decides the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from notify.enterprises import credit_code
from notify.tipoffs.categories import CATEGORIES
from notify.tipoffs.identity import normalise_mobile
from notify.tipoffs.text import clean


def _coordinate(low: float, high: float, message):
    def check(form, field):
        raw = (field.data or "").strip()
        if not raw:
            field.data = None
            return
        try:
            value = float(raw)
        except ValueError:
            raise ValidationError(message) from None
        if not (low <= value <= high) or value != value:  # value != value: NaN
            raise ValidationError(message)
        field.data = round(value, 6)

    return check


def _credit_code(form, field):
    if field.data and not credit_code.valid(field.data):
        raise ValidationError(
            _l(
                "The enterprise's credit code in this form is not valid, so the tip-off cannot name it. "
                "Send the form again to report without naming an enterprise."
            )
        )


class TokenListField(Field):
    """Every value sent under the field's name, as text (none: an empty list)."""

    def process_formdata(self, valuelist):
        self.data = [str(v) for v in valuelist if v]

    def process_data(self, value):
        self.data = list(value or [])


class TipoffForm(FlaskForm):
    # Choices are checked with our own messages (WTForms' built-in ones are not translated).
    category = SelectField(
        _l("What are you reporting?"),
        choices=list(CATEGORIES.items()),
        validate_choice=False,
        validators=[AnyOf(list(CATEGORIES), message=_l("Choose what you are reporting."))],
    )
    description = TextAreaField(
        _l("What did you see?"),
        filters=[clean],
        validators=[
            DataRequired(_l("Describe what you saw.")),
            Length(min=5, max=2000, message=_l("Describe it in 5 to 2000 characters.")),
        ],
    )
    township = SelectField(
        _l("Township"), validate_choice=False, validators=[InputRequired(_l("Choose the township."))]
    )
    address = StringField(
        _l("Address or place"),
        filters=[clean],
        validators=[
            DataRequired(_l("Say where it is.")),
            Length(min=2, max=200, message=_l("Use 2 to 200 characters.")),
        ],
    )
    latitude = StringField(
        _l("Latitude"),
        filters=[lambda v: v if v is not None else ""],
        validators=[_coordinate(-90, 90, _l("The map point is not valid."))],
    )
    longitude = StringField(
        _l("Longitude"),
        filters=[lambda v: v if v is not None else ""],
        validators=[_coordinate(-180, 180, _l("The map point is not valid."))],
    )
    photos = MultipleFileField(_l("Photos (up to 3, 10 MB each)"))
    # Photos kept from a refused attempt (notify.tipoffs.held_photos): one signed token each.
    kept_photos = TokenListField()
    identity = RadioField(
        _l("Who is reporting?"),
        default="anonymous",
        validate_choice=False,
        choices=[("anonymous", _l("Anonymous")), ("real_name", _l("With my name and phone"))],
        validators=[AnyOf(["anonymous", "real_name"], message=_l("Choose anonymous or real name."))],
    )
    name = StringField(
        _l("Your name"), filters=[clean], validators=[Length(max=50, message=_l("At most 50 characters."))]
    )
    phone = StringField(
        _l("Your mobile phone"),
        filters=[clean],
        validators=[Length(max=30, message=_l("At most 30 characters."))],
    )
    captcha = StringField(_l("Characters in the picture"), filters=[clean], validators=[Length(max=20)])
    # The enterprise a report from its notice board names, by credit code; the view checks that
    # it is a listed enterprise.
    enterprise = HiddenField(
        filters=[lambda v: credit_code.normalise(v) if isinstance(v, str) else ""],
        validators=[_credit_code],
    )
    started = HiddenField()
    # A honeypot: hidden from people by CSS, filled in by form-filling programs.
    website = StringField(_l("Leave this empty"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        choices = {str(value) for value, _label in self.township.choices or []}
        if self.township.data not in choices and not self.township.errors:
            self.township.errors = list(self.township.errors) + [_l("Choose the township.")]
            ok = False
        if (
            (self.latitude.data is None) != (self.longitude.data is None)
            and not self.latitude.errors
            and not self.longitude.errors
        ):
            self.latitude.errors = list(self.latitude.errors) + [
                _l("Give both latitude and longitude, or neither.")
            ]
            ok = False
        if self.identity.data == "real_name":
            if not (self.name.data or "").strip():
                self.name.errors = list(self.name.errors) + [_l("Give your name for a real-name report.")]
                ok = False
            phone = normalise_mobile(self.phone.data or "")
            if phone is None:
                self.phone.errors = list(self.phone.errors) + [
                    _l("Give a mainland mobile number of 11 digits, e.g. 13800000000.")
                ]
                ok = False
            else:
                self.phone.data = phone
        return ok


class StatusLookupForm(FlaskForm):
    ticket = StringField(
        _l("Ticket number"),
        filters=[clean],
        validators=[
            DataRequired(_l("Give the ticket number.")),
            Length(max=30, message=_l("That is not a ticket number.")),
        ],
    )
    code = StringField(
        _l("Query code"),
        filters=[clean],
        validators=[
            DataRequired(_l("Give the query code.")),
            Length(max=40, message=_l("That is not a query code.")),
        ],
    )
