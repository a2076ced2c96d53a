"""Daily reports in the console: the office's view per response day (summary, missing list,
reports and attachments), filing by a member unit's console account, and the duty contacts
(units' liaison mobiles, the office director) the timed jobs text."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from admin import bp
from admin.access import roles_required
from admin.records_forms import ContactForm, PlainForm
from notify import audit, clock
from notify.channels import phone
from notify.daily_reports import attachments, days
from notify.daily_reports.filing import ReportRejected, existing, file_report
from notify.daily_reports.forms import DailyReportForm
from notify.extensions import db
from notify.ids import parse_int
from notify.models import (
    DailyReport,
    DailyReportAttachment,
    DutyContact,
    MemberUnit,
    ResponseDay,
    Role,
    Warning,
)

OFFICE = (Role.OFFICE_STAFF.value,)
READERS = (Role.OFFICE_STAFF.value, Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value, Role.ADMIN.value)


def _own_day(day_id: int) -> ResponseDay:
    row = db.session.get(ResponseDay, day_id)
    if row is None or row.warning.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return row


@bp.get("/daily-reports")
@roles_required(*READERS, Role.MEMBER_UNIT.value)
def daily_reports():
    rows = db.session.execute(
        select(ResponseDay, func.count(DailyReport.id))
        .join(Warning)
        .outerjoin(DailyReport, DailyReport.response_day_id == ResponseDay.id)
        .where(Warning.jurisdiction_id == current_user.jurisdiction_id)
        .group_by(ResponseDay.id)
        .order_by(ResponseDay.day.desc(), ResponseDay.id.desc())
        .limit(120)
    ).all()
    units = len(days.active_units(current_user.jurisdiction_id))
    mine = {}
    if current_user.role == Role.MEMBER_UNIT.value and current_user.member_unit_id:
        unit = db.session.get(MemberUnit, current_user.member_unit_id)
        mine = {d.id: existing(d, unit) for d, _n in rows}
    return render_template(
        "admin/daily_reports/list.html", rows=rows, units=units, mine=mine, now=clock.now()
    )


@bp.get("/daily-reports/<int:day_id>")
@roles_required(*READERS)
def daily_report_day(day_id: int):
    day = _own_day(day_id)
    missing = days.missing_units(day)
    return render_template(
        "admin/daily_reports/day.html",
        day=day,
        missing=missing,
        units=len(days.active_units(day.warning.jurisdiction_id)),
        now=clock.now(),
    )


@bp.route("/daily-reports/<int:day_id>/file", methods=["GET", "POST"])
@roles_required(Role.MEMBER_UNIT.value)
def file_daily_report(day_id: int):
    day = _own_day(day_id)
    unit = db.session.get(MemberUnit, current_user.member_unit_id) if current_user.member_unit_id else None
    if unit is None:
        flash(_("Your account is not linked to a member unit; ask the administrator."), "error")
        return redirect(url_for("admin.daily_reports"))
    form = DailyReportForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                file_report(day, unit, form.data_for_filing(), form.files(), via="console", user=current_user)
                db.session.commit()
            except ReportRejected as err:
                db.session.rollback()
                form.mark(err.errors)
                status = err.status
            else:
                flash(_("Your report was received. Thank you."), "success")
                return redirect(url_for("admin.daily_reports"))
        else:
            status = 400
        flash(_("The report was not filed; see the marked fields."), "error")
    elif request.method == "GET":
        form.reporter_name.data = current_user.display_name
        form.reporter_phone.data = current_user.phone
    return render_template(
        "admin/daily_reports/file.html",
        form=form,
        day=day,
        unit=unit,
        report=existing(day, unit),
        now=clock.now(),
    ), status


@bp.get("/daily-reports/attachments/<int:attachment_id>")
@roles_required(*READERS, Role.MEMBER_UNIT.value)
def daily_report_attachment(attachment_id: int):
    item = db.session.get(DailyReportAttachment, attachment_id)
    if item is None or item.report.response_day.warning.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    if (
        current_user.role == Role.MEMBER_UNIT.value
        and item.report.member_unit_id != current_user.member_unit_id
    ):
        abort(403)
    try:
        path = attachments.path_of(item.storage_name)
    except ValueError:
        abort(404)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=item.content_type,
        download_name=item.original_name,
        as_attachment=item.content_type == "application/pdf",
    )


@bp.route("/duty-contacts", methods=["GET", "POST"])
@roles_required(Role.OFFICE_STAFF.value, Role.ADMIN.value)
def duty_contacts():
    form = ContactForm()
    status = 200
    if request.method == "POST":
        if "deactivate" in request.form:
            contact_id = parse_int(request.form["deactivate"])
            if contact_id is None or not PlainForm().validate():
                abort(400)
            contact = db.session.get(DutyContact, contact_id)
            if contact is None or contact.jurisdiction_id != current_user.jurisdiction_id:
                abort(404)
            contact.active = False
            audit.record(
                "duty_contact.deactivate",
                actor=current_user,
                subject=contact,
                summary=f"{contact.name} {phone.mask(contact.phone)}",
            )
            db.session.commit()
            flash(_("Removed."), "success")
            return redirect(url_for("admin.duty_contacts"))
        duty = form.duty.data if form.duty.data in ("unit_liaison", "office_director") else None
        unit = None
        if form.validate() and duty is not None:
            if duty == "unit_liaison":
                unit = db.session.scalar(
                    select(MemberUnit).where(
                        MemberUnit.jurisdiction_id == current_user.jurisdiction_id,
                        MemberUnit.code == (form.member_unit.data or "").strip(),
                    )
                )
                if unit is None:
                    form.member_unit.errors = [_("Choose a member unit.")]
            try:
                number = phone.normalise(form.phone.data)
            except phone.InvalidNumber:
                form.phone.errors = [_("Give a mobile number that can receive SMS.")]
                number = None
            if number and (duty == "office_director" or unit is not None):
                contact = DutyContact(
                    jurisdiction_id=current_user.jurisdiction_id,
                    duty=duty,
                    member_unit_id=unit.id if unit else None,
                    name=form.name.data.strip(),
                    phone=number,
                )
                db.session.add(contact)
                db.session.flush()
                audit.record(
                    "duty_contact.add",
                    actor=current_user,
                    subject=contact,
                    summary=f"{duty} {contact.name} {phone.mask(number)}",
                )
                db.session.commit()
                flash(_("Added."), "success")
                return redirect(url_for("admin.duty_contacts"))
        status = 400
        flash(_("Not added: see the marked fields."), "error")
    contacts = db.session.scalars(
        select(DutyContact)
        .where(DutyContact.jurisdiction_id == current_user.jurisdiction_id, DutyContact.active.is_(True))
        .order_by(DutyContact.duty, DutyContact.member_unit_id, DutyContact.id)
    ).all()
    return render_template(
        "admin/daily_reports/contacts.html",
        form=form,
        contacts=contacts,
        units=days.active_units(current_user.jurisdiction_id),
        plain=PlainForm(),
    ), status
