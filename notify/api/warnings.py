"""Warnings: list with filters and pages, detail with revisions; a new warning's first draft and
the drafts that change a published one (upgrade, downgrade, extend, lift)."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notify.api import auth, bp, schemas, serialize, validation
from notify.api.common import PAGE_PARAMS, own_warning, paginate, readable_warning, write
from notify.api.errors import ApiError, invalid
from notify.api.proposals import proposal_data
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import AlertKind, Revision, Warning

LIST_PARAMS = {
    "status": {"type": "string", "enum": schemas.WARNING_STATUSES},
    "kind": {"type": "string", "maxLength": 40},
    "exercise": {"type": "boolean"},
    "created_after": {"type": "string", "format": "date-time"},
    "created_before": {"type": "string", "format": "date-time"},
    **PAGE_PARAMS,
}


@bp.get("/warnings")
@auth.require("read")
def warnings():
    params = validation.query(LIST_PARAMS)
    query = (
        select(Warning)
        .where(Warning.jurisdiction_id == auth.jurisdiction_id())
        .options(selectinload(Warning.revisions))
        .order_by(Warning.created_at.desc(), Warning.id.desc())
    )
    if "status" in params:
        query = query.where(Warning.status == params["status"])
    if "kind" in params:
        query = query.join(AlertKind, AlertKind.id == Warning.kind_id).where(AlertKind.code == params["kind"])
    if "exercise" in params:
        query = query.where(Warning.is_exercise.is_(params["exercise"]))
    if "created_after" in params:
        query = query.where(Warning.created_at >= params["created_after"])
    if "created_before" in params:
        query = query.where(Warning.created_at < params["created_before"])
    internal = auth.reads_drafts()
    if not internal:
        # A warning never published is only a proposal.
        query = query.where(Warning.revisions.any(Revision.state == "published"))
    return jsonify(paginate(query, params, lambda w: serialize.warning_summary(w, internal=internal)))


@bp.get("/warnings/<int:warning_id>")
@auth.require("read")
def warning(warning_id: int):
    return jsonify(serialize.warning(readable_warning(warning_id), internal=auth.reads_drafts()))


def created(revision: Revision):
    resp = jsonify(serialize.revision(revision, internal=auth.reads_drafts()))
    resp.status_code = 201
    resp.headers["Location"] = url_for("api.revision", revision_id=revision.id)
    return resp


@bp.post("/warnings")
@auth.require("draft")
def new_warning():
    data = validation.body(schemas.NEW_WARNING)
    kind = db.session.scalar(
        select(AlertKind).where(
            AlertKind.jurisdiction_id == auth.jurisdiction_id(), AlertKind.code == data["kind"]
        )
    )
    if kind is None:
        raise invalid({"kind": _l("No alert kind “%(code)s”.", code=data["kind"])})
    proposal = proposal_data(kind, data, None, new_step="issue")
    revision = write(
        "warning.create",
        lambda: propose_issue(
            kind, proposal, auth.actor(), confirm_overlap=data.get("confirm_overlap", False)
        ),
        warning_id=lambda r: r.warning_id,
    )
    return created(revision)


@bp.post("/warnings/<int:warning_id>/revisions")
@auth.require("draft")
def new_revision(warning_id: int):
    w = own_warning(warning_id)
    data = validation.body(schemas.NEW_REVISION)
    current = w.current
    if current is None:
        raise ApiError(409, _l("Only a published, unlifted warning can be changed."), code="wrong_state")
    proposal = proposal_data(w.kind, data, current, new_step=data["action"])
    revision = write(
        "revision.create", lambda: propose_change(w, data["action"], proposal, auth.actor()), warning_id=w.id
    )
    return created(revision)
