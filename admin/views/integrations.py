"""Integrations of the JSON API, kept by the administrator: scopes, acting user, tokens; and
the page where a user confirms (or refuses) an integration that acts as them.

A new token is shown once, in the response to the request that made it (not in a flash
message, which would travel in the signed but readable session cookie), and never again.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from admin import bp
from admin.access import roles_required
from admin.forms import ROLE_NAMES, MultiCheckboxField
from notify import integrations
from notify.extensions import db
from notify.lifecycle.errors import LifecycleError
from notify.models import ApiToken, Integration, Role, User

ADMIN = Role.ADMIN.value
SCOPE_CHOICES = [
    ("read", _l("read: published warnings and revisions, CAP, deliveries")),
    ("read_drafts", _l("read_drafts: also drafts, proposals, approval forms, consultations")),
    ("draft", _l("draft: consultations, drafts, submission")),
    ("publish", _l("publish: publish approved revisions")),
]


class IntegrationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("What it is for"), validators=[Length(max=2000)])
    scopes = MultiCheckboxField(_l("Scopes"), choices=SCOPE_CHOICES)
    acting_user = SelectField(
        _l("Acts as (for draft, publish; that person confirms it before it works)"),
        coerce=int,
        validate_choice=False,
    )
    active = BooleanField(_l("Active"), default=True)


class TokenActionForm(FlaskForm):
    pass


class ConsentForm(FlaskForm):
    pass


def _own_integration(integration_id: int) -> Integration:
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return integration


def _user_choices(form: IntegrationForm) -> None:
    users = db.session.scalars(
        select(User)
        .where(User.jurisdiction_id == current_user.jurisdiction_id, User.active.is_(True))
        .order_by(User.username)
    )
    form.acting_user.choices = [(0, "—")] + [
        (u.id, f"{u.username} · {u.display_name} ({ROLE_NAMES.get(u.role, u.role)})") for u in users
    ]


def _data(form: IntegrationForm) -> integrations.IntegrationData:
    user = db.session.get(User, form.acting_user.data) if form.acting_user.data else None
    return integrations.IntegrationData(
        name=form.name.data or "",
        scopes=list(form.scopes.data or []),
        acting_user=user,
        description=form.description.data or "",
        active=form.active.data,
    )


def _mark(form: IntegrationForm, err: LifecycleError) -> None:
    for name, message in getattr(err, "errors", {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]


def _token_page(integration: Integration, token: str):
    resp = make_response(
        render_template(
            "admin/integration_token.html",
            integration=integration,
            token=token,
            api_base=request.host_url.rstrip("/") + "/api/v1",
        )
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/integrations")
@roles_required(ADMIN)
def integrations_list():
    rows = db.session.scalars(
        select(Integration)
        .where(Integration.jurisdiction_id == current_user.jurisdiction_id)
        .order_by(Integration.name)
    ).all()
    return render_template(
        "admin/integrations.html", rows=rows, action_form=TokenActionForm(), role_names=ROLE_NAMES
    )


@bp.route("/integrations/new", methods=["GET", "POST"], defaults={"integration_id": None})
@bp.route("/integrations/<int:integration_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_integration(integration_id: int | None):
    integration = _own_integration(integration_id) if integration_id else None
    form = IntegrationForm(obj=integration)
    _user_choices(form)
    if request.method == "GET":
        if integration is not None:
            form.acting_user.data = integration.acting_user_id or 0
        else:
            form.scopes.data = ["read"]
    if form.validate_on_submit():
        try:
            if integration is None:
                integration = integrations.create_integration(
                    current_user.jurisdiction_id, _data(form), current_user
                )
                token = integrations.issue_token(integration, current_user)
                db.session.commit()
                return _token_page(integration, token)
            integrations.update_integration(integration, _data(form), current_user)
            db.session.commit()
        except LifecycleError as err:
            db.session.rollback()
            _mark(form, err)
            flash(err.message, "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.integrations_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/simple_form.html", form=form, title=_("Integration")), status


@bp.post("/integrations/<int:integration_id>/tokens")
@roles_required(ADMIN)
def issue_token(integration_id: int):
    integration = _own_integration(integration_id)
    if not TokenActionForm().validate_on_submit():
        abort(400)
    token = integrations.issue_token(integration, current_user)
    db.session.commit()
    return _token_page(integration, token)


@bp.post("/integrations/<int:integration_id>/tokens/<int:token_id>/revoke")
@roles_required(ADMIN)
def revoke_token(integration_id: int, token_id: int):
    integration = _own_integration(integration_id)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.integration_id != integration.id:
        abort(404)
    if not TokenActionForm().validate_on_submit():
        abort(400)
    if integrations.revoke_token(token, current_user):
        db.session.commit()
        flash(
            _("Token %(prefix)s… revoked; requests with it are refused from now on.", prefix=token.prefix),
            "success",
        )
    return redirect(url_for("admin.integrations_list"))


def _acting_as_me(integration_id: int) -> Integration:
    integration = _own_integration(integration_id)
    if integration.acting_user_id != current_user.id:
        abort(404)
    return integration


@bp.get("/integrations/acting-as-me")
@roles_required()
def integration_consents():
    return render_template(
        "admin/integration_consents.html",
        rows=integrations.acting_as(current_user),
        form=ConsentForm(),
        role_names=ROLE_NAMES,
    )


@bp.post("/integrations/<int:integration_id>/consent")
@roles_required()
def confirm_integration(integration_id: int):
    integration = _acting_as_me(integration_id)
    if not ConsentForm().validate_on_submit():
        abort(400)
    integrations.confirm_acting(integration, current_user)
    db.session.commit()
    flash(
        _("Confirmed: %(name)s may now act as you with the scopes shown.", name=integration.name), "success"
    )
    return redirect(url_for("admin.integration_consents"))


@bp.post("/integrations/<int:integration_id>/consent/withdraw")
@roles_required()
def withdraw_integration_consent(integration_id: int):
    integration = _acting_as_me(integration_id)
    if not ConsentForm().validate_on_submit():
        abort(400)
    if integrations.withdraw_consent(integration, current_user):
        db.session.commit()
        flash(_("%(name)s no longer acts as you.", name=integration.name), "success")
    return redirect(url_for("admin.integration_consents"))


@bp.app_context_processor
def _consents_badge():
    def integrations_acting_as_me() -> tuple[int, int]:
        """(integrations acting as the user, of which awaiting their confirmation), for the menu."""
        if not getattr(current_user, "is_authenticated", False):
            return 0, 0
        rows = integrations.acting_as(current_user)
        return len(rows), sum(1 for i in rows if i.active and i.awaiting_consent)

    return {"integrations_acting_as_me": integrations_acting_as_me}
