"""Logging in and out; both leave an audit event, and so does a failed attempt."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from admin import bp
from admin.forms import LoginForm
from notify import audit
from notify.extensions import db
from notify.i18n import _safe_next
from notify.models import User


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.active or not user.check_password(form.password.data):
            audit.record(
                "login.failed",
                actor_name=form.username.data.strip()[:100],
                summary="wrong user name or password, or inactive user",
            )
            db.session.commit()
            flash(_("Wrong user name or password."), "error")
            return render_template("admin/login.html", form=form), 401
        login_user(user)
        audit.record("login", actor=user, subject=user)
        db.session.commit()
        return redirect(
            _safe_next(request.args.get("next")) if request.args.get("next") else url_for("admin.index")
        )
    status = 400 if request.method == "POST" else 200
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    audit.record("logout", actor=current_user, subject=current_user)
    db.session.commit()
    logout_user()
    return redirect(url_for("admin.login"))
