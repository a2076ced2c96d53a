"""Revisions: list and detail (with the frozen snapshot), editing a draft, every state change
through the lifecycle guard, the CAP document of a published revision and its delivery summary."""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify.api import auth, bp, schemas, serialize, validation
from notify.api.common import PAGE_PARAMS, own_revision, paginate, readable_revision, write
from notify.api.errors import ApiError
from notify.api.proposals import proposal_data
from notify.dispatch import progress
from notify.extensions import db
from notify.lifecycle.guard import ApprovalFormData
from notify.lifecycle.proposals import edit_draft
from notify.models import Revision, Warning
from notify.revision_steps import take

LIST_PARAMS = {
    "warning_id": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID},
    "state": {"type": "string", "enum": schemas.REVISION_STATES},
    "action": {"type": "string", "enum": schemas.REVISION_ACTIONS},
    **PAGE_PARAMS,
}


@bp.get("/revisions")
@auth.require("read")
def revisions():
    params = validation.query(LIST_PARAMS)
    query = (
        select(Revision)
        .join(Warning, Warning.id == Revision.warning_id)
        .where(Warning.jurisdiction_id == auth.jurisdiction_id())
        .order_by(Revision.id.desc())
    )
    for name, column in (
        ("warning_id", Revision.warning_id),
        ("state", Revision.state),
        ("action", Revision.action),
    ):
        if name in params:
            query = query.where(column == params[name])
    if not auth.reads_drafts():
        query = query.where(Revision.state == "published")
    return jsonify(paginate(query, params, serialize.revision_summary))


@bp.get("/revisions/<int:revision_id>")
@auth.require("read")
def revision(revision_id: int):
    return jsonify(serialize.revision(readable_revision(revision_id), internal=auth.reads_drafts()))


@bp.patch("/revisions/<int:revision_id>")
@auth.require("draft")
def edit_revision(revision_id: int):
    r = own_revision(revision_id)
    data = validation.body(schemas.EDIT_REVISION)
    proposal = proposal_data(r.warning.kind, data, r)
    write(
        "revision.edit",
        lambda: edit_draft(
            r,
            proposal,
            auth.actor(),
            version=data["version"],
            confirm_overlap=data.get("confirm_overlap", False),
        ),
        warning_id=r.warning_id,
    )
    return jsonify(serialize.revision(r, internal=auth.reads_drafts()))


def _transition(revision_id: int, action: str, schema: dict, **kwargs_from):
    r = own_revision(revision_id)
    data = validation.body(schema)
    kwargs = {name: make(data) for name, make in kwargs_from.items()}
    write(
        f"revision.{action}",
        lambda: take(r, action, auth.actor(), version=data["version"], **kwargs),
        subject=r,
        warning_id=r.warning_id,
    )
    return jsonify(serialize.revision(r, internal=auth.reads_drafts()))


@bp.post("/revisions/<int:revision_id>/submit")
@auth.require("draft")
def submit(revision_id: int):
    return _transition(
        revision_id,
        "submit",
        schemas.SUBMIT,
        form=lambda d: ApprovalFormData(
            basis=d["basis"],
            main_content=d["main_content"],
            department_opinion=d["department_opinion"],
            planned_publish_at=d.get("planned_publish_at"),
        ),
    )


# The addresses stay, so that a client that used to decide learns why it no longer may.
@bp.post("/revisions/<int:revision_id>/approve")
def approve(revision_id: int):
    auth.refuse_decision()


@bp.post("/revisions/<int:revision_id>/return")
def return_(revision_id: int):
    auth.refuse_decision()


@bp.post("/revisions/<int:revision_id>/reject")
def reject(revision_id: int):
    auth.refuse_decision()


@bp.post("/revisions/<int:revision_id>/publish")
@auth.require("publish")
def publish(revision_id: int):
    return _transition(revision_id, "publish", schemas.PUBLISH)


@bp.post("/revisions/<int:revision_id>/withdraw")
@auth.require("draft")
def withdraw(revision_id: int):
    return _transition(revision_id, "withdraw", schemas.WITHDRAW)


@bp.get("/revisions/<int:revision_id>/deliveries")
@auth.require("read")
def deliveries(revision_id: int):
    r = readable_revision(revision_id)
    counts = progress.status_counts(r.id)
    first, last = progress.period(r.id)
    return jsonify(
        {"revision_id": r.id, **counts, "first_at": serialize.when(first), "last_at": serialize.when(last)}
    )


@bp.get("/revisions/<int:revision_id>/cap")
@auth.require("read")
def cap(revision_id: int):
    from notify.cap.document import cap_xml  # notify.cap builds on the lifecycle, like the public site
    from notify.cap.identifiers import NotPublished

    r = readable_revision(revision_id)
    try:
        document = cap_xml(r)
    except NotPublished:
        raise ApiError(409, _l("Only a published revision has a CAP document."), code="wrong_state") from None
    # A revision published before CAP existed gets its identifier on first use; keep it.
    db.session.commit()
    return Response(document, mimetype="application/cap+xml")
