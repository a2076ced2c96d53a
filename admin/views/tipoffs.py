"""Tip-offs in the console: list (overdue flagged), one ticket with its handling actions,
the reporter's identity (office only, audited), photos behind a permission check, the reward
ledger, and an export that never carries identity."""

from __future__ import annotations

import csv
import io

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from admin import bp
from admin.access import roles_required
from admin.forms import TipoffActionForm, TipoffPhotoForm
from notify import audit, clock
from notify.extensions import db
from notify.lifecycle.errors import LifecycleError
from notify.models import MemberUnit, Role, Tipoff, TipoffPhoto, Warning
from notify.public import export_requests
from notify.public.tipoffs import _send_photo
from notify.spreadsheet_cells import safe_row
from notify.tipoffs import identity, queries, rewards
from notify.tipoffs.categories import OUTCOMES, category_label, outcome_label
from notify.tipoffs.deadlines import deadlines_for, is_overdue
from notify.tipoffs.duplicates import suggestions
from notify.tipoffs.guard import ActionData, action_label, allowed_actions, perform, state_label
from notify.tipoffs.transitions import Action as TipoffAction
from notify.tipoffs.transitions import State

READERS = (Role.OFFICE_STAFF.value, Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value, Role.MEMBER_UNIT.value)
OFFICE = (Role.OFFICE_STAFF.value,)
LEDGER_READERS = (Role.OFFICE_STAFF.value, Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value)


def _own(tipoff_id: int) -> Tipoff:
    t = db.session.get(Tipoff, tipoff_id)
    if t is None or not queries.may_see(current_user, t):
        abort(404)  # a unit is not told that tickets of other units exist
    return t


def _helpers() -> dict:
    return dict(
        state_label=state_label,
        action_label=action_label,
        category_label=category_label,
        outcome_label=outcome_label,
    )


@bp.get("/tipoffs")
@roles_required(*READERS)
def tipoffs():
    now = clock.now()
    state = request.args.get("state", "")
    if state and state not in {s.value for s in State}:
        state = ""
    overdue_only = request.args.get("overdue") == "1"
    rows = [
        (t, is_overdue(t, now))
        for t in queries.console_list(current_user, now, state=state, overdue_only=overdue_only)
    ]
    return render_template(
        "admin/tipoffs/list.html",
        rows=rows,
        state=state,
        overdue_only=overdue_only,
        states=list(State),
        **_helpers(),
    )


def _action_form(tipoff: Tipoff) -> TipoffActionForm:
    form = TipoffActionForm()
    form.unit_id.choices = [(0, "—")] + [
        (u.id, u.name_zh)
        for u in db.session.scalars(
            select(MemberUnit)
            .where(MemberUnit.jurisdiction_id == tipoff.jurisdiction_id, MemberUnit.active.is_(True))
            .order_by(MemberUnit.position)
        )
    ]
    form.outcome.choices = [("", "—")] + list(OUTCOMES.items())
    form.warning_id.choices = [(0, "—")] + [
        (w.id, w.reference)
        for w in db.session.scalars(
            select(Warning)
            .where(Warning.jurisdiction_id == tipoff.jurisdiction_id, Warning.status == "active")
            .order_by(Warning.created_at.desc())
        )
    ]
    if request.method == "GET":
        form.version.data = tipoff.version
        form.warning_id.data = form.warning_id.choices[1][0] if len(form.warning_id.choices) > 1 else 0
    return form


def _detail(tipoff: Tipoff, form: TipoffActionForm | None = None, status: int = 200, revealed=None):
    now = clock.now()
    form = form or _action_form(tipoff)
    form.version.data = tipoff.version
    office = current_user.role == Role.OFFICE_STAFF
    return render_template(
        "admin/tipoffs/detail.html",
        tipoff=tipoff,
        form=form,
        now=now,
        deadlines=deadlines_for(tipoff, now),
        actions=allowed_actions(tipoff, current_user),
        suggestions=suggestions(tipoff) if office and tipoff.state in ("received", "accepted") else [],
        trail=queries.trail(tipoff),
        revealed=revealed,
        can_reveal=identity.can_view(current_user),
        photo_form=TipoffPhotoForm(),
        **_helpers(),
    ), status


@bp.get("/tipoffs/<int:tipoff_id>")
@roles_required(*READERS)
def tipoff(tipoff_id: int):
    return _detail(_own(tipoff_id))


@bp.post("/tipoffs/<int:tipoff_id>/act")
@roles_required(*READERS)
def tipoff_act(tipoff_id: int):
    t = _own(tipoff_id)
    form = _action_form(t)
    if not form.validate_on_submit():
        flash(_("Correct the marked fields."), "error")
        return _detail(t, form, 400)
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        abort(400)
    data = ActionData(
        reason=form.reason.data or "",
        unit_id=form.unit_id.data or None,
        duplicate_of=form.duplicate_of.data or "",
        outcome=form.outcome.data or "",
        reply=form.reply.data or "",
        extension_days=form.extension_days.data,
        title_zh=form.title_zh.data or "",
        title_en=form.title_en.data or "",
        body_zh=form.body_zh.data or "",
        body_en=form.body_en.data or "",
        warning_id=form.warning_id.data or None,
        amount=form.amount.data or "",
        paid_on=form.paid_on.data,
        payment_reference=form.payment_reference.data or "",
    )
    action = form.action.data
    try:
        perform(t, action, current_user, data, version=version)
        if action == TipoffAction.PUBLISH_CLARIFICATION:  # shown on its warning's public page
            export_requests.request_export(clock.now())
        db.session.commit()
    except LifecycleError as err:
        db.session.rollback()
        for name, message in getattr(err, "errors", {err.field: err.message} if err.field else {}).items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(field.errors) + [message]
        flash(err.message, "error")
        return _detail(_own(tipoff_id), form, err.status_code)
    except StaleDataError:
        db.session.rollback()
        flash(
            _(
                "This tip-off was changed by someone else after you opened it. "
                "Reload the page and check it again."
            ),
            "error",
        )
        return _detail(_own(tipoff_id), form, 409)
    export_requests.wake()
    flash(_("Done: %(action)s.", action=action_label(action)), "success")
    return redirect(url_for("admin.tipoff", tipoff_id=t.id))


@bp.post("/tipoffs/<int:tipoff_id>/identity")
@roles_required(*OFFICE)
def tipoff_identity(tipoff_id: int):
    t = _own(tipoff_id)
    TipoffPhotoForm().validate_on_submit()  # only the CSRF token matters here
    revealed = identity.reveal(t, current_user)
    db.session.commit()
    response = make_response(*_detail(t, revealed=revealed))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tipoffs/photos/<int:photo_id>")
@roles_required(*READERS)
def tipoff_photo(photo_id: int):
    photo = db.session.get(TipoffPhoto, photo_id)
    if photo is None or not queries.may_see(current_user, photo.tipoff):
        abort(404)
    return _send_photo(photo, public=False)


@bp.post("/tipoffs/photos/<int:photo_id>/public")
@roles_required(*OFFICE)
def tipoff_photo_public(photo_id: int):
    photo = db.session.get(TipoffPhoto, photo_id)
    if photo is None or not queries.may_see(current_user, photo.tipoff):
        abort(404)
    form = TipoffPhotoForm()
    if not form.validate_on_submit():
        abort(400)
    photo.public = bool(form.public.data)
    audit.record(
        "tipoff.photo_public" if photo.public else "tipoff.photo_private",
        actor=current_user,
        subject=photo.tipoff,
        summary=f"{photo.tipoff.ticket_number}: photo {photo.position + 1}",
        detail={"photo_id": photo.id, "public": photo.public},
    )
    db.session.commit()
    return redirect(url_for("admin.tipoff", tipoff_id=photo.tipoff_id))


@bp.get("/tipoffs/rewards")
@roles_required(*LEDGER_READERS)
def tipoff_rewards():
    return render_template("admin/tipoffs/rewards.html", rewards=rewards.ledger(current_user.jurisdiction_id))


# The export is for statistics and reports upward: the reporter's name and phone, the
# description (which may name them) and the photos are deliberately not among the columns.
EXPORT_COLUMNS = (
    "ticket_number",
    "received_at",
    "category",
    "township",
    "address",
    "state",
    "outcome",
    "acceptance_due_at",
    "decided_at",
    "closure_due_at",
    "closed_at",
    "extension_days",
    "assigned_unit",
    "duplicate_of",
    "reward_eligible",
    "overdue",
)


@bp.get("/tipoffs/export.csv")
@roles_required(*OFFICE)
def tipoff_export():
    now = clock.now()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    # Citizens typed the address; units and townships come from the directory: all inert cells.
    rows = queries.console_list(current_user, now, limit=100_000)
    for t in rows:
        writer.writerow(
            safe_row(
                [
                    t.ticket_number,
                    t.received_at.isoformat(),
                    t.category,
                    t.township.name_zh,
                    t.address,
                    t.state,
                    t.outcome or "",
                    t.acceptance_due_at.isoformat(),
                    t.decided_at.isoformat() if t.decided_at else "",
                    t.closure_due_at.isoformat(),
                    t.closed_at.isoformat() if t.closed_at else "",
                    t.extension_days or "",
                    t.assigned_unit.name_zh if t.assigned_unit else "",
                    t.duplicate_of.ticket_number if t.duplicate_of else "",
                    int(t.reward_eligible),
                    int(is_overdue(t, now)),
                ]
            )
        )
    audit.record(
        "tipoff.export",
        actor=current_user,
        summary=f"{len(rows)} tip-offs exported",
        detail={"count": len(rows)},
    )
    db.session.commit()
    response = make_response("\ufeff" + out.getvalue())  # BOM: Excel then reads UTF-8 Chinese
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=tipoffs.csv"
    return response
