"""一厂一策 in the console: an enterprise's plan versions, a new draft (a copy of the last version
or the reduction list's prefill), the draft's form per response level, the bureau's approval
(never by whoever saved the draft last) and the plan as a PDF.

The drafting and approving rules live in notify.enterprises.plans; this module turns the form
into the levels dict and back, and shows each refusal next to its field with the input kept.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from admin import bp
from admin.access import EVERY_ROLE, roles_required
from notify import audit
from notify.channels import phone
from notify.enterprises import industries, plan_pdf, plans
from notify.enterprises.plan_levels import ROW_FIELDS
from notify.extensions import db
from notify.ids import parse_int
from notify.lifecycle.errors import InvalidProposal, LifecycleError
from notify.models import Enterprise, EnterprisePlan, Role

READERS = EVERY_ROLE
DRAFTERS = tuple(sorted(plans.DRAFTERS))
APPROVERS = tuple(sorted(plans.APPROVERS))
# Who sees the responsible people's whole numbers; the others read them masked.
FULL_NUMBERS = frozenset(
    {Role.OFFICE_STAFF.value, Role.ADMIN.value, Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value}
)
EXPORTED = "enterprise_plan.exported"
STATE_LABELS = {"draft": _l("Draft"), "approved": _l("Approved (in force)"), "superseded": _l("Superseded")}
ACTION_LABELS = {
    plans.CREATE: _l("Draft made"),
    plans.SAVE: _l("Draft saved"),
    plans.APPROVE: _l("Approved"),
    plans.SUPERSEDE: _l("Superseded by a newer version"),
    EXPORTED: _l("PDF downloaded"),
}
LEVEL_FIELDS = ("text", "lines", "processes", "prep_hours", "rotation_batches", "stop_share", "limit_share")
BLANK_ROWS = 2  # empty rows under the filled ones, for adding an indicator or a person
MAX_FORM_ROWS = 30
_FIELD_NAME = re.compile(r"^([A-Za-z]{1,4})-(\w+?)(?:-(\d{1,3})-(\w+))?$")


def _enterprise(enterprise_id: int) -> Enterprise:
    enterprise = plans.find_enterprise(enterprise_id, current_user.jurisdiction_id)
    if enterprise is None:
        abort(404)
    return enterprise


def _plan(plan_id: int) -> EnterprisePlan:
    plan = plans.find_plan(plan_id, current_user.jurisdiction_id)
    if plan is None:
        abort(404)
    return plan


def _show(number: str) -> str:
    if not number or current_user.role in FULL_NUMBERS:
        return number or ""
    return phone.mask(number)


def _enterprise_url(enterprise: Enterprise) -> str | None:
    # The enterprise's own page belongs to the registry's views; link to it once it is there.
    try:
        return url_for("admin.enterprise", enterprise_id=enterprise.id)
    except BuildError:
        return None


def levels_from_form(form) -> dict[str, dict[str, Any]]:
    """The posted fields ("III-prep_hours", "II-lines", "I-responsible-0-phone" …) as the levels
    dict plans.save checks; rows left wholly empty are dropped, the rest keep their order."""
    levels: dict[str, dict[str, Any]] = {}
    rows: dict[tuple[str, str], dict[int, dict[str, str]]] = {}
    for key in form:
        match = _FIELD_NAME.match(key)
        if match is None:
            continue
        response, name, index, column = match.groups()
        if index is None and name in LEVEL_FIELDS:
            level = levels.setdefault(response, {})
            level[name] = form.getlist(key) if name == "lines" else form.get(key, "")
        elif index is not None and column in ROW_FIELDS.get(name, ()):
            position = parse_int(index, maximum=MAX_FORM_ROWS * 4)
            if position is not None:
                levels.setdefault(response, {})
                rows.setdefault((response, name), {}).setdefault(position, {})[column] = form.get(key, "")
    for (response, name), by_index in rows.items():
        levels[response][name] = [
            row for _i, row in sorted(by_index.items()) if any((v or "").strip() for v in row.values())
        ]
    for level in levels.values():
        level.setdefault("lines", [])  # no box ticked: no field posted
    return levels


def _versions_page(enterprise: Enterprise, status: int = 200, error: str | None = None):
    return render_template(
        "admin/enterprises/plan_versions.html",
        enterprise=enterprise,
        versions=plans.versions(enterprise.id),
        current=plans.current_plan(enterprise.id),
        draft=plans.open_draft(enterprise.id),
        can_draft=current_user.role in plans.DRAFTERS,
        industry_label=industries.label(enterprise.industry, enterprise.subtype),
        grade_label=industries.GRADE_LABELS.get(enterprise.grade, enterprise.grade),
        state_labels=STATE_LABELS,
        enterprise_url=_enterprise_url(enterprise),
        error=error,
    ), status


def _plan_page(
    plan: EnterprisePlan,
    *,
    levels: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    status: int = 200,
):
    enterprise = plan.enterprise
    editable = plan.state == plans.State.DRAFT and current_user.role in plans.DRAFTERS
    saved_last = plans.last_saved_by(plan) if plan.state == plans.State.DRAFT else None
    response_levels = plans.response_levels(enterprise.jurisdiction_id)
    shown = {lv.numeral for lv in response_levels}
    errors = errors or {}
    return render_template(
        "admin/enterprises/plan_form.html" if editable else "admin/enterprises/plan_detail.html",
        plan=plan,
        enterprise=enterprise,
        levels=levels if levels is not None else (plan.levels or {}),
        response_levels=response_levels,
        suggestions=plans.prefill(enterprise) if editable else {},
        errors=errors,
        # Refusals that belong to no field on the page: a level the county's warning lacks …
        other_errors=[str(m) for k, m in errors.items() if k.split(".")[0] not in shown or "." not in k],
        line_names={line.id: line.name for line in enterprise.lines},
        row_fields=ROW_FIELDS,
        blank_rows=BLANK_ROWS,
        can_approve=plan.state == plans.State.DRAFT and current_user.role in plans.APPROVERS,
        saved_it_last=saved_last == current_user.id,
        state_labels=STATE_LABELS,
        action_labels=ACTION_LABELS,
        trail=plans.trail(plan),
        show=_show,
        enterprise_url=_enterprise_url(enterprise),
    ), status


@bp.get("/enterprises/<int:enterprise_id>/plans")
@roles_required(*READERS)
def enterprise_plans(enterprise_id: int):
    return _versions_page(_enterprise(enterprise_id))


@bp.post("/enterprises/<int:enterprise_id>/plans")
@roles_required(*DRAFTERS)
def new_enterprise_plan(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    try:
        plan = plans.new_draft(enterprise, current_user, from_list=request.form.get("from_list") == "1")
        db.session.commit()
    except LifecycleError as err:
        db.session.rollback()
        return _versions_page(_enterprise(enterprise_id), err.status_code, str(err.message))
    except IntegrityError:  # two drafts at the same moment: the version number is taken
        db.session.rollback()
        message = _("Someone else made a new version at the same moment; open it below.")
        return _versions_page(_enterprise(enterprise_id), 409, message)
    flash(_("Version %(version)d drafted.", version=plan.version), "success")
    return redirect(url_for("admin.enterprise_plan", plan_id=plan.id))


@bp.get("/enterprise-plans/<int:plan_id>")
@roles_required(*READERS)
def enterprise_plan(plan_id: int):
    return _plan_page(_plan(plan_id))


@bp.post("/enterprise-plans/<int:plan_id>")
@roles_required(*DRAFTERS)
def save_enterprise_plan(plan_id: int):
    plan = _plan(plan_id)
    levels = levels_from_form(request.form)
    try:
        plans.save(plan, levels, current_user)
        db.session.commit()
    except InvalidProposal as err:
        db.session.rollback()
        flash(_("Nothing was saved: correct the marked fields."), "error")
        return _plan_page(_plan(plan_id), levels=levels, errors=err.errors, status=400)
    except LifecycleError as err:
        db.session.rollback()
        flash(str(err.message), "error")
        return _plan_page(_plan(plan_id), levels=levels, status=err.status_code)
    flash(_("Saved."), "success")
    return redirect(url_for("admin.enterprise_plan", plan_id=plan.id))


@bp.post("/enterprise-plans/<int:plan_id>/approve")
@roles_required(*APPROVERS)
def approve_enterprise_plan(plan_id: int):
    plan = _plan(plan_id)
    try:
        plans.approve(plan, current_user)
        db.session.commit()
    except InvalidProposal as err:
        db.session.rollback()
        flash(_("The draft cannot be approved as it stands: it must be corrected first."), "error")
        return _plan_page(_plan(plan_id), errors=err.errors, status=400)
    except LifecycleError as err:
        db.session.rollback()
        flash(str(err.message), "error")
        return _plan_page(_plan(plan_id), status=err.status_code)
    flash(_("Version %(version)d approved; it is the plan in force.", version=plan.version), "success")
    return redirect(url_for("admin.enterprise_plan", plan_id=plan.id))


@bp.get("/enterprise-plans/<int:plan_id>.pdf")
@roles_required(*READERS)
def enterprise_plan_pdf(plan_id: int):
    plan = _plan(plan_id)
    data = plan_pdf.pdf(plan, full_numbers=current_user.role in FULL_NUMBERS)
    audit.record(
        EXPORTED,
        actor=current_user,
        subject=plan,
        summary=f"{plan.enterprise.name} 一厂一策 v{plan.version} PDF",
    )
    db.session.commit()
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{plan_pdf.filename(plan)}"'},
    )
