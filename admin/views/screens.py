"""LED screens in the console: the registry, each screen's status and feed, offline alarms.

The administrator (the county IT officer who installs the gateways) adds and changes screens and
replaces tokens; the office and the publicity group watch them. A token is shown once, on the
page that created or replaced it, and never stored in clear. Every change is an audit event.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from admin import bp
from admin.access import roles_required
from notify import audit, clock
from notify.extensions import db
from notify.models import Delivery, Role, Township
from notify.models.screens import LED_CHANNEL, Screen, ScreenAlarm, ScreenFeedVersion
from notify.screens import feed, registry, status

ADMIN = Role.ADMIN.value
READERS = (Role.ADMIN.value, Role.OFFICE_STAFF.value, Role.PUBLICITY.value)
VENDOR_CHOICES = [
    ("onbon", _l("Onbon (BX)")),
    ("huidu", _l("Huidu")),
    ("listen", _l("Listen")),
    ("novastar", _l("NovaStar")),
]
COLOUR_CHOICES = [
    ("full", _l("Full colour")),
    ("two", _l("Two colours (red and green)")),
    ("one", _l("One colour")),
]
LIMITS = registry.LIMITS


class ScreenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    location = StringField(_l("Location"), validators=[Length(max=300)])
    township_id = SelectField(_l("Township"), coerce=int, validate_choice=True)
    vendor = SelectField(_l("Controller vendor"), choices=VENDOR_CHOICES)
    chars_per_line = IntegerField(
        _l("Characters per line (Chinese characters)"),
        validators=[InputRequired(), NumberRange(*LIMITS["chars_per_line"])],
    )
    lines = IntegerField(_l("Lines"), validators=[InputRequired(), NumberRange(*LIMITS["lines"])])
    colours = SelectField(_l("Colours"), choices=COLOUR_CHOICES)
    heartbeat_interval_s = IntegerField(
        _l("Heartbeat interval (seconds)"),
        default=60,
        validators=[InputRequired(), NumberRange(*LIMITS["heartbeat_interval_s"])],
    )
    is_test = BooleanField(_l("Exercise screen (shows exercises only)"))
    active = BooleanField(_l("Active"), default=True)


class PlainForm(FlaskForm):
    """Only the CSRF token."""


def _townships() -> list[Township]:
    return list(
        db.session.scalars(
            select(Township)
            .where(Township.jurisdiction_id == current_user.jurisdiction_id)
            .order_by(Township.code)
        )
    )


def _form(screen: Screen | None = None) -> ScreenForm:
    form = ScreenForm(obj=screen)
    form.township_id.choices = [(t.id, t.name_zh) for t in _townships()]
    return form


def _own(screen_id: int) -> Screen:
    screen = db.session.get(Screen, screen_id)
    if screen is None or screen.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return screen


def _data(form: ScreenForm) -> registry.ScreenData:
    return registry.ScreenData(
        name=form.name.data or "",
        location=form.location.data or "",
        township=db.session.get(Township, form.township_id.data),
        vendor=form.vendor.data,
        chars_per_line=form.chars_per_line.data,
        lines=form.lines.data,
        colours=form.colours.data,
        heartbeat_interval_s=form.heartbeat_interval_s.data,
        is_test=bool(form.is_test.data),
        active=bool(form.active.data),
    )


def _apply_errors(form: ScreenForm, errors: dict) -> None:
    for name, message in errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]


@bp.app_context_processor
def _screens_badge():
    def screens_offline() -> int:
        if not getattr(current_user, "is_authenticated", False) or current_user.role not in READERS:
            return 0
        return status.offline_count(current_user.jurisdiction_id, clock.now())

    return {"screens_offline": screens_offline}


@bp.get("/screens")
@roles_required(*READERS)
def screens():
    now = clock.now()
    status.sweep(now)
    rows = list(
        db.session.scalars(
            select(Screen)
            .where(Screen.jurisdiction_id == current_user.jurisdiction_id)
            .order_by(Screen.township_id, Screen.id)
        )
    )
    alarms = status.open_alarms(current_user.jurisdiction_id)
    offline = [s for s in rows if status.is_offline(s, now)]
    return render_template(
        "admin/screens.html",
        screens=rows,
        alarms=alarms,
        offline=offline,
        now=now,
        is_offline=status.is_offline,
        editable=current_user.role == ADMIN,
    )


@bp.route("/screens/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_screen():
    form = _form()
    if request.method == "POST":
        if form.validate():
            try:
                screen, token = registry.create(current_user.jurisdiction, _data(form), clock.now())
            except registry.InvalidScreen as exc:
                _apply_errors(form, exc.errors)
            else:
                audit.record(
                    "screen.created",
                    actor=current_user,
                    subject=screen,
                    summary=screen.name,
                    detail={
                        "township": screen.township.name_zh,
                        "vendor": screen.vendor,
                        "profile": f"{screen.chars_per_line}x{screen.lines} {screen.colours}",
                    },
                )
                db.session.commit()
                return _show_token(screen, token, created=True)
        db.session.rollback()
        return render_template("admin/screen_form.html", form=form, screen=None), 400
    return render_template("admin/screen_form.html", form=form, screen=None)


def _show_token(screen: Screen, token: str, *, created: bool):
    # Rendered, not redirected: the token must not travel through the session or a URL.
    response = render_template("admin/screen_token.html", screen=screen, token=token, created=created)
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/screens/<int:screen_id>")
@roles_required(*READERS)
def screen_detail(screen_id: int):
    screen = _own(screen_id)
    now = clock.now()
    preview = feed.current(screen, now)
    screen = _own(screen_id)
    versions = list(
        db.session.scalars(
            select(ScreenFeedVersion)
            .where(ScreenFeedVersion.screen_id == screen.id)
            .order_by(ScreenFeedVersion.version.desc())
            .limit(20)
        )
    )
    alarms = list(
        db.session.scalars(
            select(ScreenAlarm)
            .where(ScreenAlarm.screen_id == screen.id)
            .order_by(ScreenAlarm.started_at.desc())
            .limit(20)
        )
    )
    deliveries = dict(
        db.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.channel == LED_CHANNEL, Delivery.address == screen.address)
            .group_by(Delivery.status)
        ).all()
    )
    form = _form(screen) if current_user.role == ADMIN else None
    return render_template(
        "admin/screen.html",
        screen=screen,
        preview=preview.data,
        versions=versions,
        alarms=alarms,
        deliveries=deliveries,
        form=form,
        token_form=PlainForm(),
        offline=status.is_offline(screen, now),
        now=now,
    )


@bp.post("/screens/<int:screen_id>")
@roles_required(ADMIN)
def save_screen(screen_id: int):
    screen = _own(screen_id)
    form = _form(screen)
    if form.validate():
        try:
            changed = registry.change(screen, _data(form), clock.now())
        except registry.InvalidScreen as exc:
            _apply_errors(form, exc.errors)
        else:
            if changed:
                audit.record(
                    "screen.changed",
                    actor=current_user,
                    subject=screen,
                    summary=screen.name,
                    detail={"changed": {k: [str(a), str(b)] for k, (a, b) in changed.items()}},
                )
                db.session.commit()
                flash(_("Saved."), "success")
            else:
                flash(_("Nothing changed."), "success")
            return redirect(url_for("admin.screen_detail", screen_id=screen.id))
    db.session.rollback()
    screen = _own(screen_id)
    now = clock.now()
    return render_template(
        "admin/screen.html",
        screen=screen,
        preview=feed.current(screen, now).data,
        versions=[],
        alarms=[],
        deliveries={},
        form=form,
        token_form=PlainForm(),
        offline=status.is_offline(screen, now),
        now=now,
    ), 400


@bp.post("/screens/<int:screen_id>/token")
@roles_required(ADMIN)
def rotate_screen_token(screen_id: int):
    screen = _own(screen_id)
    if not PlainForm().validate():
        abort(400)
    token = registry.rotate_token(screen, clock.now())
    audit.record("screen.token_replaced", actor=current_user, subject=screen, summary=screen.name)
    db.session.commit()
    return _show_token(screen, token, created=False)
