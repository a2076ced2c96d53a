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
from notify.extensions import db
from notify.lifecycle import queries
from notify.lifecycle.consultations import ConsultationData
from notify.lifecycle.criteria import suggest_for_kind
from notify.lifecycle.errors import LifecycleError
from notify.models import Consultation, Role
from notify.revision_steps import record_consultation


@bp.get("/consultations")
@roles_required()
def consultations():
    rows = db.session.scalars(
        select(Consultation)
        .where(Consultation.jurisdiction_id == current_user.jurisdiction_id)
        .order_by(Consultation.concluded_at.desc())
    ).all()
    kinds = queries.kinds(current_user.jurisdiction_id)
    heavy = next((k for k in kinds if k.code == "heavy_pollution"), None)
    suggestions = {
        c.id: suggest_for_kind(heavy, c.forecast_daily_aqi)
        for c in rows
        if heavy is not None and c.forecast_daily_aqi
    }
    return render_template("admin/consultations.html", rows=rows, suggestions=suggestions, kinds=kinds)


@bp.route("/consultations/new", methods=["GET", "POST"])
@roles_required(Role.OFFICE_STAFF.value)
def new_consultation():
    form = ConsultationForm()
    if form.validate_on_submit():
        forecast = [int(v) for v in re.split(r"[,，\s]+", form.forecast_daily_aqi.data or "") if v]
        data = ConsultationData(
            source=form.source.data,
            concluded_at=to_utc(form.concluded_at.data),
            conclusion=form.conclusion.data,
            reporter=form.reporter.data,
            reviewer=form.reviewer.data or "",
            expert_opinion=form.expert_opinion.data or "",
            forecast_daily_aqi=forecast or None,
        )
        try:
            record_consultation(current_user.jurisdiction_id, data, current_user)
            db.session.commit()
        except LifecycleError as err:
            db.session.rollback()
            for name, message in getattr(err, "errors", {}).items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = list(field.errors) + [message]
            flash(err.message, "error")
        else:
            flash(_("Consultation recorded."), "success")
            return redirect(url_for("admin.consultations"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/consultation_form.html", form=form), status
