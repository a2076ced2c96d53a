"""Group robots and partner webhooks in the console: register, edit, deactivate.

The administrator edits; the office may look. A robot's key (in its URL) and signing secret, and
a webhook's secret, are never shown back: the pages show a masked hint, and a blank field on
edit keeps what is stored. Every change is an audit event (without the secrets).
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import URL, DataRequired, Length, Optional

from admin import bp
from admin.access import roles_required
from admin.forms import MultiCheckboxField
from notify import audit
from notify.channels import outbound
from notify.extensions import db
from notify.models import Delivery, PartnerWebhook, Robot, Role, Township
from notify.models.robots import ROBOT_KINDS, robot_address
from notify.models.webhooks import webhook_address
from notify.robots import (
    group_ids,
    groups_of_jurisdiction,
    mask_secret,
    mask_url,
    set_groups,
    sync_recipients,
    url_problem,
)

ADMIN = Role.ADMIN.value
READERS = (Role.ADMIN.value, Role.OFFICE_STAFF.value)
KIND_LABELS = {"wecom": _l("WeCom"), "dingtalk": _l("DingTalk"), "feishu": _l("Feishu")}
URL_PROBLEMS = {
    "scheme": _l("Enter the full webhook address, starting with https://."),
    "path": _l("This is not the webhook address this kind of robot has."),
    "key": _l("The address has no key or access token."),
    "address": _l(
        "This address is on a private, loopback or reserved network. The platform posts only to "
        "public addresses, unless the host is allowed in OUTBOUND_ALLOWED_HOSTS."
    ),
}
WEBHOOK_URL_PROBLEMS = {
    "scheme": _l("Enter a full http(s) address."),
    "address": URL_PROBLEMS["address"],
}


class RobotForm(FlaskForm):
    kind = SelectField(_l("Platform"), choices=[(k, KIND_LABELS[k]) for k in ROBOT_KINDS])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    webhook_url = StringField(_l("Webhook address"), validators=[Optional(), Length(max=500)])
    secret = StringField(_l("Signing secret (加签)"), validators=[Optional(), Length(max=200)])
    township = SelectField(_l("Township"), coerce=int)
    groups = MultiCheckboxField(_l("Audience groups"), coerce=int)
    active = BooleanField(_l("Active"), default=True)


class WebhookForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    url = StringField(
        _l("Address"),
        validators=[
            DataRequired(),
            Length(max=500),
            URL(require_tld=False, message=_l("Enter a full http(s) address.")),
        ],
    )
    secret = StringField(_l("Signing secret"), validators=[Optional(), Length(min=16, max=200)])
    send_json = BooleanField(_l("JSON"), default=True)
    send_cap = BooleanField(_l("CAP 1.2 XML"))
    active = BooleanField(_l("Active"), default=True)


class PlainForm(FlaskForm):
    """Only the CSRF token."""


def _own(model, item_id: int):
    item = db.session.get(model, item_id)
    if item is None or item.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return item


def _last_statuses(addresses: list[str]) -> dict[str, tuple[str, str | None]]:
    """The newest delivery's status and error per address (one query for the page)."""
    if not addresses:
        return {}
    newest = (
        select(Delivery.address, func.max(Delivery.id).label("id"))
        .where(Delivery.address.in_(addresses))
        .group_by(Delivery.address)
        .subquery()
    )
    rows = db.session.execute(
        select(Delivery.address, Delivery.status, Delivery.error_code).join(
            newest, newest.c.id == Delivery.id
        )
    ).all()
    return {address: (status, code) for address, status, code in rows}


# -- robots -----------------------------------------------------------------------------------
@bp.get("/robots")
@roles_required(*READERS)
def robots():
    rows = list(
        db.session.scalars(
            select(Robot)
            .where(Robot.jurisdiction_id == current_user.jurisdiction_id)
            .order_by(Robot.kind, Robot.name)
        )
    )
    groups = {g.id: g for g in groups_of_jurisdiction(current_user.jurisdiction_id)}
    memberships = {r.id: sorted(group_ids(r)) for r in rows}
    return render_template(
        "admin/robots.html",
        robots=rows,
        groups=groups,
        memberships=memberships,
        last=_last_statuses([robot_address(r.id) for r in rows]),
        kinds=KIND_LABELS,
        mask_url=mask_url,
        mask_secret=mask_secret,
        form=PlainForm(),
        editable=current_user.role == ADMIN,
    )


def _robot_form(robot: Robot | None) -> RobotForm:
    form = RobotForm(obj=robot) if request.method == "GET" else RobotForm()
    townships = db.session.scalars(
        select(Township)
        .where(Township.jurisdiction_id == current_user.jurisdiction_id)
        .order_by(Township.code)
    )
    form.township.choices = [(0, _("County-wide (no township)"))] + [(t.id, t.name_zh) for t in townships]
    form.groups.choices = [(g.id, g.name_zh) for g in groups_of_jurisdiction(current_user.jurisdiction_id)]
    if request.method == "GET":
        form.webhook_url.data = ""
        form.secret.data = ""
        if robot is not None:
            form.township.data = robot.township_id or 0
            form.groups.data = sorted(group_ids(robot))
    return form


@bp.route("/robots/new", methods=["GET", "POST"], defaults={"robot_id": None})
@bp.route("/robots/<int:robot_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_robot(robot_id: int | None):
    robot = _own(Robot, robot_id) if robot_id else None
    form = _robot_form(robot)
    if form.validate_on_submit():
        url = (form.webhook_url.data or "").strip()
        secret = (form.secret.data or "").strip()
        kind = form.kind.data
        township_ids = {c[0] for c in form.township.choices}
        if form.township.data not in township_ids:
            form.township.errors = [_("Choose a township from the list.")]
        elif robot is None and not url:
            form.webhook_url.errors = [_("Enter the robot's webhook address.")]
        elif url and (problem := url_problem(kind, url, current_app.config["OUTBOUND_ALLOWED_HOSTS"])):
            form.webhook_url.errors = [URL_PROBLEMS[problem]]
        elif robot is not None and not url and kind != robot.kind:
            form.webhook_url.errors = [_("A robot of another platform needs its own webhook address.")]
        elif kind == "wecom" and secret:
            form.secret.errors = [_("WeCom robots have no signing secret; leave this empty.")]
        else:
            created = robot is None
            if robot is None:
                robot = Robot(
                    jurisdiction_id=current_user.jurisdiction_id, kind=kind, name="", webhook_url=url
                )
                db.session.add(robot)
            changed = {}
            for name, value in (
                ("kind", kind),
                ("name", form.name.data.strip()),
                ("township_id", form.township.data or None),
                ("active", form.active.data),
            ):
                if getattr(robot, name) != value:
                    changed[name] = value
                    setattr(robot, name, value)
            if url and url != robot.webhook_url:
                robot.webhook_url = url
                changed["webhook_url"] = mask_url(url)
            if secret:
                robot.secret = secret
                changed["secret"] = "changed"
            elif kind == "wecom" and robot.secret:
                robot.secret = None
                changed["secret"] = "removed"
            db.session.flush()
            added, removed = set_groups(robot, set(form.groups.data or []))
            if added or removed:
                changed["groups"] = {"added": sorted(added), "removed": sorted(removed)}
            audit.record(
                "robot.create" if created else "robot.update",
                actor=current_user,
                subject=robot,
                summary=f"{robot.kind} {robot.name}",
                detail={"changed": changed},
            )
            db.session.commit()
            flash(_("Robot saved."), "success")
            return redirect(url_for("admin.robots"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/robot_form.html", form=form, robot=robot, mask_url=mask_url, mask_secret=mask_secret
    ), status


@bp.post("/robots/<int:robot_id>/active")
@roles_required(ADMIN)
def toggle_robot(robot_id: int):
    robot = _own(Robot, robot_id)
    if not PlainForm().validate():
        abort(400)
    robot.active = not robot.active
    sync_recipients(robot)  # an inactive robot drops out of every audience at once
    audit.record(
        "robot.active",
        actor=current_user,
        subject=robot,
        summary=f"{robot.kind} {robot.name} {'on' if robot.active else 'off'}",
        detail={"active": robot.active},
    )
    db.session.commit()
    flash(_("Robot activated.") if robot.active else _("Robot deactivated."), "success")
    return redirect(url_for("admin.robots"))


# -- partner webhooks -------------------------------------------------------------------------
@bp.get("/webhooks")
@roles_required(*READERS)
def webhooks():
    rows = list(
        db.session.scalars(
            select(PartnerWebhook)
            .where(PartnerWebhook.jurisdiction_id == current_user.jurisdiction_id)
            .order_by(PartnerWebhook.name)
        )
    )
    return render_template(
        "admin/webhooks.html",
        webhooks=rows,
        mask_secret=mask_secret,
        last=_last_statuses([webhook_address(w.id) for w in rows]),
        form=PlainForm(),
        editable=current_user.role == ADMIN,
    )


@bp.route("/webhooks/new", methods=["GET", "POST"], defaults={"webhook_id": None})
@bp.route("/webhooks/<int:webhook_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_webhook(webhook_id: int | None):
    hook = _own(PartnerWebhook, webhook_id) if webhook_id else None
    form = WebhookForm(obj=hook) if request.method == "GET" else WebhookForm()
    if request.method == "GET":
        form.secret.data = ""
    if form.validate_on_submit():
        problem = outbound.problem(form.url.data, current_app.config["OUTBOUND_ALLOWED_HOSTS"])
        if problem:
            form.url.errors = [WEBHOOK_URL_PROBLEMS[problem]]
        elif not (form.send_json.data or form.send_cap.data):
            form.send_json.errors = [_("Choose at least one format.")]
        else:
            created = hook is None
            secret = (form.secret.data or "").strip()
            shown_secret = None
            if hook is None:
                # A secret the partner did not choose is generated, shown once, never again.
                shown_secret = secret or secrets.token_urlsafe(32)
                hook = PartnerWebhook(
                    jurisdiction_id=current_user.jurisdiction_id, name="", url="", secret=shown_secret
                )
                db.session.add(hook)
            changed = {}
            for name, value in (
                ("name", form.name.data.strip()),
                ("url", form.url.data.strip()),
                ("send_json", form.send_json.data),
                ("send_cap", form.send_cap.data),
                ("active", form.active.data),
            ):
                if getattr(hook, name) != value:
                    changed[name] = value
                    setattr(hook, name, value)
            if secret and not created:
                hook.secret = secret
                changed["secret"] = "changed"
            db.session.flush()
            audit.record(
                "webhook.create" if created else "webhook.update",
                actor=current_user,
                subject=hook,
                summary=hook.name,
                detail={"changed": changed},
            )
            db.session.commit()
            if shown_secret and not secret:
                # In this answer only: a flash would carry it in the session cookie, which
                # anyone holding the browser's cookies can read.
                return _secret_page(hook, shown_secret)
            flash(_("Webhook saved."), "success")
            return redirect(url_for("admin.webhooks"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/webhook_form.html", form=form, hook=hook, mask_secret=mask_secret), status


def _secret_page(hook: PartnerWebhook, secret: str):
    response = make_response(render_template("admin/webhook_secret.html", hook=hook, secret=secret))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/webhooks/<int:webhook_id>/active")
@roles_required(ADMIN)
def toggle_webhook(webhook_id: int):
    hook = _own(PartnerWebhook, webhook_id)
    if not PlainForm().validate():
        abort(400)
    hook.active = not hook.active
    audit.record(
        "webhook.active",
        actor=current_user,
        subject=hook,
        summary=f"{hook.name} {'on' if hook.active else 'off'}",
        detail={"active": hook.active},
    )
    db.session.commit()
    flash(_("Webhook activated.") if hook.active else _("Webhook deactivated."), "success")
    return redirect(url_for("admin.webhooks"))
