"""Schools in the console: the registry (CSV import), the instructions each level gives them,
who hears about silent schools, and per published revision the live dashboard of notices
(acknowledged / delivered / not reached per township) with its export for the education bureau.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select

from admin import bp
from admin.access import EVERY_ROLE, roles_required
from admin.views.warnings import _own_revision
from notify import audit, clock
from notify.channels import phone
from notify.extensions import db
from notify.ids import query_int
from notify.models import (
    AlertKind,
    Jurisdiction,
    Revision,
    Role,
    School,
    SchoolContact,
    SchoolInstruction,
    SchoolNotice,
    Warning,
)
from notify.models.schools import SCHOOL_TYPES
from notify.schools import access, dashboard, export, registry

READERS = EVERY_ROLE
EDITORS = (Role.OFFICE_STAFF.value, Role.ADMIN.value)
MEASURE_LABELS = {
    "stop_outdoor": _l("Stop outdoor activities"),
    "flexible_teaching": _l("Flexible teaching"),
    "class_suspension": _l("Class suspension"),
    "air_purifiers": _l("Air purifiers on"),
    "resume_outdoor": _l("Outdoor activities may resume"),
    "other": _l("Other"),
}
STARTS_LABELS = {
    "publication_day": _l("from the day of publication"),
    "response_start": _l("from the response start"),
    "immediately": _l("from publication"),
}


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


def _jurisdiction() -> Jurisdiction:
    return db.session.get_one(Jurisdiction, current_user.jurisdiction_id)


def _full_numbers() -> bool:
    # The office, the administrator and the education bureau's users (notify.schools.access).
    return access.sees_full_numbers(current_user)


def _show(number: str | None) -> str:
    if not number:
        return ""
    return number if _full_numbers() else phone.mask(number)


def _registry_page(form: ImportForm, errors=None, status: int = 200):
    j = _jurisdiction()
    township = query_int("township")
    query = select(School).where(School.jurisdiction_id == j.id).order_by(School.township_id, School.code)
    if township is not None:
        query = query.where(School.township_id == township)
    schools = list(db.session.scalars(query))
    per_township = dict(
        db.session.execute(
            select(School.township_id, func.count())
            .where(School.jurisdiction_id == j.id, School.active.is_(True))
            .group_by(School.township_id)
        ).all()
    )
    per_type = dict(
        db.session.execute(
            select(School.type, func.count())
            .where(School.jurisdiction_id == j.id, School.active.is_(True))
            .group_by(School.type)
        ).all()
    )
    contacts = list(
        db.session.scalars(
            select(SchoolContact)
            .where(SchoolContact.jurisdiction_id == j.id)
            .order_by(SchoolContact.township_id.is_not(None), SchoolContact.township_id)
        )
    )
    instructions = list(
        db.session.scalars(
            select(SchoolInstruction)
            .join(AlertKind, AlertKind.id == SchoolInstruction.kind_id)
            .where(AlertKind.jurisdiction_id == j.id)
            .order_by(AlertKind.position, SchoolInstruction.applies_on, SchoolInstruction.position)
        )
    )
    recent = db.session.execute(
        select(Revision, func.count(SchoolNotice.id), func.count(SchoolNotice.acknowledged_at))
        .join(SchoolNotice, SchoolNotice.revision_id == Revision.id)
        .join(Warning, Warning.id == Revision.warning_id)
        .where(Warning.jurisdiction_id == j.id)
        .group_by(Revision.id)
        .order_by(Revision.published_at.desc())
        .limit(10)
    ).all()
    return render_template(
        "admin/schools.html",
        schools=schools,
        townships=j.townships,
        township_id="" if township is None else str(township),
        per_township=per_township,
        per_type=per_type,
        contacts=contacts,
        instructions=instructions,
        recent=recent,
        form=form,
        errors=errors or [],
        editable=current_user.role in EDITORS,
        type_label=registry.type_label,
        types=SCHOOL_TYPES,
        show=_show,
        measure_labels=MEASURE_LABELS,
        starts_labels=STARTS_LABELS,
    ), status


@bp.get("/schools")
@roles_required(*READERS)
def schools():
    return _registry_page(ImportForm())


@bp.post("/schools/import")
@roles_required(*EDITORS)
def import_schools():
    form = ImportForm()
    if not form.validate():
        return _registry_page(form, status=400)
    raw = form.file.data.read(registry.MAX_ROWS * 400 + 1)
    report = registry.import_csv(_jurisdiction(), raw)
    if report.errors:
        db.session.rollback()
        flash(_("Nothing was imported: %(n)d line(s) need correcting.", n=len(report.errors)), "error")
        return _registry_page(form, errors=report.errors, status=400)
    audit.record(
        "schools.import",
        actor=current_user,
        summary=f"{report.added} schools added, {report.updated} updated",
        detail={
            "added": report.added,
            "updated": report.updated,
            "file": (form.file.data.filename or "")[:200],
        },
    )
    db.session.commit()
    flash(
        _("%(added)d schools added, %(updated)d updated.", added=report.added, updated=report.updated),
        "success",
    )
    return redirect(url_for("admin.schools"))


@bp.get("/schools/template.csv")
@roles_required(*READERS)
def schools_template():
    return Response(
        ("\ufeff" + registry.TEMPLATE_CSV).encode(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=schools-template.csv"},
    )


def _notified(revision_id: int) -> Revision:
    revision = _own_revision(revision_id)
    if revision.published_at is None:
        abort(404)
    return revision


def _payload(revision: Revision) -> dict:
    rows, total = dashboard.by_township(revision.id)
    return {"townships": [r.as_dict() for r in rows], "total": total.as_dict(), "at": clock.now().isoformat()}


@bp.get("/revisions/<int:revision_id>/schools")
@roles_required(*READERS)
def school_dashboard(revision_id: int):
    revision = _notified(revision_id)
    only = request.args.get("only", "")
    if only not in ("", "silent", "not_reached"):
        abort(400)
    rows, total = dashboard.by_township(revision.id)
    lines = dashboard.schools(revision.id, only=only or None)
    return render_template(
        "admin/school_dashboard.html",
        revision=revision,
        warning=revision.warning,
        rows=rows,
        total=total,
        lines=lines,
        only=only,
        show=_show,
        type_label=registry.type_label,
        can_export=_full_numbers(),
        notices=dashboard.notice_count(revision.id),
    )


@bp.get("/revisions/<int:revision_id>/schools.json")
@roles_required(*READERS)
def school_dashboard_json(revision_id: int):
    response = jsonify(_payload(_notified(revision_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/revisions/<int:revision_id>/schools.<fmt>")
@roles_required(*READERS)
def school_export(revision_id: int, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    if not _full_numbers():
        abort(403)  # the export carries whole numbers
    revision = _notified(revision_id)
    tz = ZoneInfo(revision.warning.jurisdiction.timezone or "Asia/Shanghai")
    now = clock.now()
    name = f"schools-{revision.warning.reference}-{revision.sequence}.{fmt}"
    if fmt == "xlsx":
        data = export.xlsx(revision, tz, now)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, mimetype = export.csv_bytes(revision, tz), "text/csv"
    audit.record(
        "schools.export",
        actor=current_user,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence}: school notices exported ({fmt})",
        detail={"format": fmt},
    )
    db.session.commit()
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )
