"""Consultation records (附件4) and city notices: where a proposal and its 1-hour clock start.

They are the office's working records before anything is approved, so reading them needs the
read_drafts (or draft) scope, like drafts."""

from __future__ import annotations

from flask import jsonify, url_for
from sqlalchemy import select

from notify.api import auth, bp, schemas, serialize, validation
from notify.api.common import PAGE_PARAMS, get_own, paginate, write
from notify.lifecycle.consultations import ConsultationData
from notify.models import Consultation
from notify.revision_steps import record_consultation


@bp.get("/consultations")
@auth.require("read_drafts")
def consultations():
    params = validation.query(PAGE_PARAMS)
    query = (
        select(Consultation)
        .where(Consultation.jurisdiction_id == auth.jurisdiction_id())
        .order_by(Consultation.concluded_at.desc(), Consultation.id.desc())
    )
    return jsonify(paginate(query, params, serialize.consultation))


@bp.get("/consultations/<int:consultation_id>")
@auth.require("read_drafts")
def consultation(consultation_id: int):
    return jsonify(
        serialize.consultation(get_own(Consultation, consultation_id, lambda c: c.jurisdiction_id))
    )


@bp.post("/consultations")
@auth.require("draft")
def new_consultation():
    data = validation.body(schemas.NEW_CONSULTATION)
    c = write(
        "consultation.create",
        lambda: record_consultation(
            auth.jurisdiction_id(),
            ConsultationData(
                source=data.get("source", "consultation"),
                concluded_at=data["concluded_at"],
                conclusion=data["conclusion"],
                reporter=data["reporter"],
                reviewer=data.get("reviewer", ""),
                expert_opinion=data.get("expert_opinion", ""),
                forecast_daily_aqi=data.get("forecast_daily_aqi"),
            ),
            auth.actor(),
        ),
    )
    resp = jsonify(serialize.consultation(c))
    resp.status_code = 201
    resp.headers["Location"] = url_for("api.consultation", consultation_id=c.id)
    return resp
