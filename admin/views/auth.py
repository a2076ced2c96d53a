"""Logging in and out, the second log-in step, and the user's own password and second factor.

Every attempt leaves an audit event. The signed cookie holds only the server-side session's token
(notify/accounts/console_sessions.py), so logging out, a password change or deactivation ends the
session at once; it is cleared at log-in, which also gives the browser a new CSRF token.
"""

from __future__ import annotations

from datetime import timedelta

from flask import flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from admin import bp
from admin.access import roles_required
from admin.account_forms import CodeForm, PasswordChangeForm, SecondFactorForm
from admin.forms import LoginForm
from notify import clock
from notify.accounts import console_sessions, second_factor, sign_in
from notify.accounts.sign_in import Refusal
from notify.extensions import db
from notify.i18n import _safe_next
from notify.models import User

# Between a right password and the code of the second factor (Flask session key, and how long).
PENDING_KEY = "pending_login"
PENDING_FOR = timedelta(minutes=5)
# The secret shown for enrolment, kept until the user confirms it with a code.


def _client() -> sign_in.Client:
    return sign_in.Client(ip=request.remote_addr or "", user_agent=request.user_agent.string or "")


def _next_url(target: str | None) -> str:
    return _safe_next(target) if target else url_for("admin.index")


def _refused(refusal: Refusal, template: str, form, **context):
    if refusal.field and refusal.field in form:
        form[refusal.field].errors = [refusal.message]
    else:
        flash(refusal.message, "error")
    return render_template(template, form=form, **context), refusal.status


def _begin(user: User, token: str) -> None:
    # A fresh cookie: nothing from before the log-in survives, the CSRF token included.
    session.clear()
    g.pop("csrf_token", None)
    session[console_sessions.SESSION_KEY] = token
    login_user(user)


@bp.before_request
def _keep_session_alive():
    # Idle time counts console requests; this write comes before any of the view's own.
    if current_user.is_authenticated and console_sessions.keep_alive(
        session.get(console_sessions.SESSION_KEY)
    ):
        db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        outcome = sign_in.check_password(form.username.data, form.password.data, _client())
        if isinstance(outcome, Refusal):
            return _refused(outcome, "admin/login.html", form)
        if second_factor.asked_at_login(outcome):
            session[PENDING_KEY] = {
                "user_id": outcome.id,
                "until": (clock.now() + PENDING_FOR).timestamp(),
                "next": request.args.get("next") or "",
            }
            return redirect(url_for("admin.login_code"))
        _begin(outcome, sign_in.start_session(outcome, _client()))
        return redirect(_next_url(request.args.get("next")))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/login.html", form=form), status


def _pending_user() -> tuple[User | None, str]:
    pending = session.get(PENDING_KEY) or {}
    if not pending or pending.get("until", 0) < clock.now().timestamp():
        return None, ""
    return db.session.get(User, pending.get("user_id") or 0), pending.get("next", "")


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    user, next_url = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(_("Please log in again."), "error")
        return redirect(url_for("admin.login"))
    form = CodeForm()
    if form.validate_on_submit():
        refusal = sign_in.check_code(user, form.code.data, _client())
        if refusal is not None:
            return _refused(refusal, "admin/login_code.html", form)
        _begin(user, sign_in.start_session(user, _client()))
        return redirect(_next_url(next_url))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/login_code.html", form=form), status


@bp.post("/logout")
@roles_required(before_enrolment=True)
def logout():
    sign_in.log_out(current_user, session.get(console_sessions.SESSION_KEY))
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required(before_enrolment=True)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        outcome = sign_in.change_password(
            current_user, form.current_password.data, form.new_password.data, _client()
        )
        if isinstance(outcome, Refusal):
            return _refused(outcome, "admin/account_password.html", form)
        _begin(current_user, outcome)
        flash(_("Your password is changed. Every other session of yours has ended."), "success")
        return redirect(url_for("admin.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/account_password.html", form=form), status


@bp.route("/account/second-factor", methods=["GET", "POST"], endpoint="second_factor")
@roles_required(*second_factor.ROLES, before_enrolment=True)
def second_factor_page():
    user = current_user._get_current_object()
    form = SecondFactorForm()
    secret = None if user.totp_enrolled else sign_in.offer_second_factor(user)
    if form.validate_on_submit():
        if form.action.data == "enrol" and secret is not None:
            refusal = sign_in.enrol_second_factor(user, form.code.data)
            done = _("The second factor is on: log-ins now ask for a code.")
        elif form.action.data == "remove" and user.totp_enrolled:
            refusal = sign_in.remove_second_factor(user, form.code.data, _client())
            done = _("The second factor is off.")
        else:
            refusal = Refusal(_("Nothing to do."), 400)
        if refusal is None:
            flash(done, "success")
            return redirect(url_for("admin.second_factor"))
        answer = _refused(refusal, "admin/second_factor.html", form, **_enrolment(user, secret))
    else:
        status = 400 if request.method == "POST" else 200
        answer = render_template("admin/second_factor.html", form=form, **_enrolment(user, secret)), status
    response = make_response(answer)
    response.headers["Cache-Control"] = "no-store"  # the key must not stay in a cache
    return response


def _enrolment(user: User, secret: str | None) -> dict:
    if secret is None:
        return {"secret": None}
    uri = second_factor.provisioning_uri(secret, user, _("Warning console"))
    return {"secret": secret, "qr_code": second_factor.qr_code(uri)}
