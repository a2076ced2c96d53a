"""Consultation records (附件4) and city notices: where a proposal and its 1-hour clock start."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import roles_required
from admin.forms import ConsultationForm, to_utc
from notify import audit
from notify.extensions import db
from notify.lifecycle import queries
from notify.lifecycle.criteria import suggest_for_kind
from notify.models import Consultation, Role


@bp.get("/consultations")
@roles_required()
def consultations():
    rows = db.session.scalars(select(Consultation).where(
        Consultation.jurisdiction_id == current_user.jurisdiction_id)
        .order_by(Consultation.concluded_at.desc())).all()
    kinds = queries.kinds(current_user.jurisdiction_id)
    heavy = next((k for k in kinds if k.code == "heavy_pollution"), None)
    suggestions = {c.id: suggest_for_kind(heavy, c.forecast_daily_aqi)
                   for c in rows if heavy is not None and c.forecast_daily_aqi}
    return render_template("admin/consultations.html", rows=rows, suggestions=suggestions, kinds=kinds)


@bp.route("/consultations/new", methods=["GET", "POST"])
@roles_required(Role.OFFICE_STAFF.value)
def new_consultation():
    form = ConsultationForm()
    if form.validate_on_submit():
        forecast = [int(v) for v in re.split(r"[,，\s]+", form.forecast_daily_aqi.data or "") if v]
        c = Consultation(jurisdiction_id=current_user.jurisdiction_id, source=form.source.data,
                         concluded_at=to_utc(form.concluded_at.data), conclusion=form.conclusion.data.strip(),
                         reporter=form.reporter.data.strip(), reviewer=(form.reviewer.data or "").strip(),
                         expert_opinion=(form.expert_opinion.data or "").strip(),
                         forecast_daily_aqi=forecast or None, created_by=current_user)
        db.session.add(c)
        db.session.flush()
        audit.record("consultation.create", actor=current_user, subject=c, summary=c.conclusion[:80])
        db.session.commit()
        flash(_("Consultation recorded."), "success")
        return redirect(url_for("admin.consultations"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/consultation_form.html", form=form), status
