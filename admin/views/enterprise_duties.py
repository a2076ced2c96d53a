"""Per published revision, the live dashboard of the enterprises' duties (sent, received, in
place, overdue, and the reduction confirmed so far, per township), the list of whom to call, and
the export for the ecology bureau.

Member units are not tied to townships in the model, so no member unit reads it by township;
the page is for the office, the leaders, the publicity group and the administrator. Environmental
officers' whole numbers (and the export that carries them) are for the office and the
administrator, who call overdue enterprises; the others see them masked, as for schools.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, abort, jsonify, render_template, request
from flask_login import current_user

from admin import bp
from admin.access import roles_required
from admin.views.warnings import _own_revision
from notify import audit, clock
from notify.channels import phone
from notify.enterprises import dashboard, export, industries
from notify.extensions import db
from notify.ids import query_int
from notify.models import Revision, Role, Township
from notify.models.enterprises import POLLUTANTS

READERS = (
    Role.OFFICE_STAFF.value,
    Role.DEPUTY_COMMANDER.value,
    Role.COMMANDER.value,
    Role.PUBLICITY.value,
    Role.ADMIN.value,
)
CALLERS = (Role.OFFICE_STAFF.value, Role.ADMIN.value)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _published(revision_id: int) -> Revision:
    revision = _own_revision(revision_id)
    if revision.published_at is None:
        abort(404)
    return revision


def _township(revision: Revision) -> int | None:
    """The ?township= filter: a township of the revision's jurisdiction, else 400."""
    township_id = query_int("township")
    if township_id is None:
        return None
    township = db.session.get(Township, township_id)
    if township is None or township.jurisdiction_id != revision.warning.jurisdiction_id:
        abort(400, description="unknown township")
    return township_id


def _newer(revision: Revision) -> Revision | None:
    """The warning's latest published revision after this one: its duties replaced these."""
    later = [
        r for r in revision.warning.revisions if r.published_at is not None and r.sequence > revision.sequence
    ]
    return max(later, key=lambda r: r.sequence, default=None)


def _show(number: str | None) -> str:
    if not number:
        return ""
    return number if current_user.role in CALLERS else phone.mask(number)


def _payload(revision: Revision, township_id: int | None) -> dict:
    now = clock.now()
    rows, total = dashboard.by_township(revision, now, township_id)
    return {
        "townships": [r.as_dict() for r in rows],
        "total": total.as_dict(),
        "at": now.isoformat(),
    }


@bp.get("/revisions/<int:revision_id>/enterprise-duties")
@roles_required(*READERS)
def enterprise_duty_dashboard(revision_id: int):
    revision = _published(revision_id)
    township_id = _township(revision)
    only = request.args.get("only", "")
    if only and only not in dashboard.FILTERS:
        abort(400, description="unknown filter")
    now = clock.now()
    rows, total = dashboard.by_township(revision, now, township_id)
    return render_template(
        "admin/enterprises/duty_dashboard.html",
        revision=revision,
        warning=revision.warning,
        rows=rows,
        total=total,
        lines=dashboard.duties(revision, now, only=only or None, township_id=township_id),
        overdue=dashboard.overdue_enterprises(revision, now, township_id),
        only=only,
        township_id=township_id,
        townships=revision.warning.jurisdiction.townships,
        pollutants=POLLUTANTS,
        pollutant_labels=dashboard.POLLUTANT_LABELS,
        industry_label=industries.label,
        grade_labels=industries.GRADE_LABELS,
        show=_show,
        can_export=current_user.role in CALLERS,
        duties=dashboard.duty_count(revision),
        newer=_newer(revision),
    )


@bp.get("/revisions/<int:revision_id>/enterprise-duties.json")
@roles_required(*READERS)
def enterprise_duty_dashboard_json(revision_id: int):
    revision = _published(revision_id)
    response = jsonify(_payload(revision, _township(revision)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/revisions/<int:revision_id>/enterprise-duties.xlsx")
@roles_required(*CALLERS)
def enterprise_duty_export(revision_id: int):
    revision = _published(revision_id)
    tz = ZoneInfo(revision.warning.jurisdiction.timezone or "Asia/Shanghai")
    data = export.xlsx(revision, tz, clock.now())
    # One of the response's records, exported as the records page's are.
    audit.record(
        "records.exported",
        actor=current_user,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference}: enterprise duties #{revision.sequence} XLSX",
    )
    db.session.commit()
    name = f"enterprise-duties-{revision.warning.reference}-{revision.sequence}.xlsx"
    return Response(
        data,
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )
