"""The enterprise registry in the console: the list (search, filters by township, industry and
grade, counts per grade), one enterprise with its production lines and contacts, and the CSV
imports of enterprises and of their lines (office and administrator), each audited.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from admin import bp
from admin.access import EVERY_ROLE, roles_required
from notify.channels import phone
from notify.enterprises import industries, listing, registry, registry_imports
from notify.extensions import db
from notify.ids import query_int
from notify.models import Jurisdiction, Role
from notify.models.enterprises import GRADES

READERS = EVERY_ROLE
EDITORS = (Role.OFFICE_STAFF.value, Role.ADMIN.value)
TRUCK_LABELS = {
    "china3": _l("China III"),
    "china4": _l("China IV"),
    "china5": _l("China V"),
    "china6": _l("China VI"),
    "electric": _l("Electric"),
}


TITLES = {
    "enterprises": _l("Import enterprises from CSV"),
    "lines": _l("Import production lines from CSV"),
}


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


def _jurisdiction() -> Jurisdiction:
    return db.session.get_one(Jurisdiction, current_user.jurisdiction_id)


def _show(number: str | None) -> str:
    # Whole numbers for those who import and call them; the last four digits for the others.
    if not number:
        return ""
    return number if current_user.role in EDITORS else phone.mask(number)


def _filters() -> listing.Filters:
    """The list's filters from the query string; a value that names nothing is a 400."""
    industry, _sep, subtype = request.args.get("industry", "").partition("/")
    if industry and (
        industry not in industries.INDUSTRIES
        or (_sep and subtype not in industries.INDUSTRIES[industry].subtypes)
    ):
        abort(400, description=_("Unknown industry."))
    grade = request.args.get("grade", "")
    if grade and grade not in GRADES:
        abort(400, description=_("Unknown grade."))
    return listing.Filters(
        text=request.args.get("q", "")[:100],
        township_id=query_int("township"),
        industry=industry,
        subtype=subtype if _sep else None,
        grade=grade,
    )


def _industry_options() -> list[tuple[str, str]]:
    options = []
    for industry in industries.INDUSTRIES.values():
        options.append((industry.code, industry.name_zh))
        options += [
            (f"{industry.code}/{s.code}", f"{industry.name_zh}·{s.name_zh}")
            for s in industry.subtypes.values()
            if s.code
        ]
    return options


def _labels() -> dict:
    return {
        "industry_label": industries.label,
        "grade_labels": industries.GRADE_LABELS,
        "exempt_labels": industries.EXEMPT_LABELS,
        "truck_labels": TRUCK_LABELS,
        "show": _show,
    }


@bp.get("/enterprises")
@roles_required(*READERS)
def enterprises():
    j = _jurisdiction()
    filters = _filters()
    page = query_int("page", 1, minimum=1, maximum=10_000)
    rows, more = listing.search(j.id, filters, page)
    count, line_count = listing.total(j.id)
    return render_template(
        "admin/enterprises/list.html",
        rows=rows,
        more=more,
        page=page,
        filters=filters,
        industry_value=request.args.get("industry", ""),
        townships=j.townships,
        industry_options=_industry_options(),
        grades=GRADES,
        per_grade=listing.grade_counts(j.id, filters),
        count=count,
        line_count=line_count,
        contacts=listing.contacts(j.id),
        editable=current_user.role in EDITORS,
        form=ImportForm(formdata=None),
        **_labels(),
    )


@bp.get("/enterprises/<int:enterprise_id>")
@roles_required(*READERS)
def enterprise(enterprise_id: int):
    found = listing.enterprise(current_user.jurisdiction_id, enterprise_id)
    if found is None:
        abort(404)
    return render_template(
        "admin/enterprises/detail.html",
        e=found,
        contacts=listing.contacts_for(found),
        # The plans page is another area's; linked once it is there.
        plans_endpoint="admin.enterprise_plans" in current_app.view_functions,
        **_labels(),
    )


def _refused(kind: str, form: ImportForm, errors: list[tuple[int, str]]):
    page = render_template(
        "admin/enterprises/import_result.html", kind=kind, title=TITLES[kind], form=form, errors=errors
    )
    return page, 400


def _import(kind: str):
    form = ImportForm()
    if not form.validate():
        return _refused(kind, form, [])
    limit = registry_imports.max_bytes(kind)
    raw = form.file.data.read(limit + 1)
    if len(raw) > limit:
        return _refused(kind, form, [(0, _("The file is larger than %(n)d KB; split it.", n=limit // 1024))])
    report = registry_imports.import_file(
        _jurisdiction(), kind, raw, actor=current_user, filename=form.file.data.filename or ""
    )
    if report.errors:
        return _refused(kind, form, report.errors)
    if kind == "enterprises":
        message = _(
            "%(added)d enterprises added, %(updated)d updated.", added=report.added, updated=report.updated
        )
    else:
        message = _(
            "%(added)d production lines added, %(updated)d updated.",
            added=report.added,
            updated=report.updated,
        )
    flash(message, "success")
    return redirect(url_for("admin.enterprises"))


@bp.post("/enterprises/import")
@roles_required(*EDITORS)
def import_enterprises():
    return _import("enterprises")


@bp.post("/enterprises/lines/import")
@roles_required(*EDITORS)
def import_production_lines():
    return _import("lines")


def _csv(text: str, name: str) -> Response:
    # A byte-order mark so that Excel on Chinese Windows opens the UTF-8 file correctly.
    return Response(
        ("\ufeff" + text).encode(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.get("/enterprises/template.csv")
@roles_required(*READERS)
def enterprises_template():
    return _csv(registry.TEMPLATE_CSV, "enterprises-template.csv")


@bp.get("/enterprises/lines-template.csv")
@roles_required(*READERS)
def production_lines_template():
    return _csv(registry.LINES_TEMPLATE_CSV, "production-lines-template.csv")
