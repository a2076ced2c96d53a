"""A warning's records in the console: timed publication, deadline alerts, 附件6 statistics with
the office's summary, the §5.4 written report, and for an exercise the drill record (附件7)
and effect evaluation (附件8); each exportable as XLSX and PDF."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import roles_required
from admin.forms import to_local, to_utc
from admin.records_forms import DrillRecordForm, EvaluationForm, PlainForm, SummaryForm, WrittenReportForm
from admin.views.warnings import _own_revision, _own_warning
from notify import audit, clock, scheduled_publication
from notify.enterprises import record_figures
from notify.enterprises.dashboard import POLLUTANT_LABELS
from notify.extensions import db
from notify.lifecycle.errors import LifecycleError
from notify.models import DeadlineAlert, ResponseDay, ResponseSummary, Role, WrittenReport
from notify.records import drills, exports, statistics, written_report
from notify.records import forms as record_forms
from notify.timed import publication

OFFICE = (Role.OFFICE_STAFF.value,)
READERS = (Role.OFFICE_STAFF.value, Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value, Role.ADMIN.value)


@bp.get("/warnings/<int:warning_id>/records")
@roles_required(*READERS)
def records(warning_id: int):
    warning = _own_warning(warning_id)
    now = clock.now()
    summary = db.session.scalar(select(ResponseSummary).where(ResponseSummary.warning_id == warning.id))
    summary_form = SummaryForm(obj=summary, formdata=None)
    report = written_report.kept(warning)
    report_form = WrittenReportForm(obj=report, formdata=None)
    if report is None and warning.current is not None:
        report_form.title.data, report_form.body.data = written_report.draft(warning, now)
    approved = next((r for r in warning.revisions if r.state == "approved"), None)
    alerts = db.session.scalars(
        select(DeadlineAlert).where(DeadlineAlert.warning_id == warning.id).order_by(DeadlineAlert.sent_at)
    ).all()
    days = db.session.scalars(
        select(ResponseDay).where(ResponseDay.warning_id == warning.id).order_by(ResponseDay.day)
    ).all()
    schedules = {r.id: publication.schedule_of(r) for r in warning.revisions}
    return render_template(
        "admin/records/warning.html",
        warning=warning,
        stats=statistics.for_warning(warning, now),
        enterprises=_enterprise_figures(warning, now),
        pollutant_labels=POLLUTANT_LABELS,
        summary_form=summary_form,
        report_form=report_form,
        report=report,
        approved=approved,
        schedules=schedules,
        alerts=alerts,
        days=days,
        plain=PlainForm(),
        can_edit=current_user.role in OFFICE,
    )


def _enterprise_figures(warning, now) -> record_figures.ResponseFigures | None:
    """The enterprises' part of 附件6, when any enterprise had a duty in this response."""
    figures = record_figures.of_warning(warning, now)
    return figures if figures.any else None


@bp.post("/revisions/<int:revision_id>/publish-at-start")
@roles_required(*OFFICE)
def schedule_publication(revision_id: int):
    revision = _own_revision(revision_id)
    if not PlainForm().validate():
        abort(400)
    try:
        if request.form.get("cancel"):
            scheduled_publication.cancel(revision, current_user)
            message = _("The timed publication is cancelled.")
        else:
            row = scheduled_publication.schedule(revision, current_user)
            message = _("It will be published at %(at)s.", at=to_local(row.run_at).strftime("%Y-%m-%d %H:%M"))
        db.session.commit()
    except LifecycleError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("admin.records", warning_id=revision.warning_id)), 303
    flash(message, "success")
    return redirect(url_for("admin.records", warning_id=revision.warning_id))


@bp.post("/warnings/<int:warning_id>/records/summary")
@roles_required(*OFFICE)
def save_summary(warning_id: int):
    warning = _own_warning(warning_id)
    form = SummaryForm()
    if not form.validate():
        flash(_("The summary was not saved: a field is too long."), "error")
        return redirect(url_for("admin.records", warning_id=warning.id)), 303
    row = db.session.scalar(select(ResponseSummary).where(ResponseSummary.warning_id == warning.id))
    if row is None:
        row = ResponseSummary(warning_id=warning.id)
        db.session.add(row)
    form.populate_obj(row)
    row.updated_by_id, row.updated_at = current_user.id, clock.now()
    db.session.flush()
    audit.record(
        "records.summary_saved",
        actor=current_user,
        subject=row,
        warning_id=warning.id,
        summary=f"{warning.reference}: 应急响应统计表总结栏已保存",
    )
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("admin.records", warning_id=warning.id))


@bp.post("/warnings/<int:warning_id>/records/report")
@roles_required(*OFFICE)
def save_written_report(warning_id: int):
    warning = _own_warning(warning_id)
    if warning.current is None and not any(r.state == "published" for r in warning.revisions):
        abort(409)
    form = WrittenReportForm()
    report = written_report.kept(warning)
    now = clock.now()
    if request.form.get("redraft"):
        title, body = written_report.draft(warning, now)
    elif form.validate():
        title, body = form.title.data.strip(), form.body.data
    else:
        flash(_("The report needs a title and a text."), "error")
        return redirect(url_for("admin.records", warning_id=warning.id)), 303
    if report is None:
        report = WrittenReport(warning_id=warning.id, title=title, body=body, drafted_at=now)
        db.session.add(report)
    report.title, report.body, report.edited_by_id, report.edited_at = title, body, current_user.id, now
    db.session.flush()
    audit.record(
        "records.written_report_saved",
        actor=current_user,
        subject=report,
        warning_id=warning.id,
        summary=f"{warning.reference}: 书面报告"
        + ("已按记录重新起草" if request.form.get("redraft") else "已保存"),
    )
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("admin.records", warning_id=warning.id))


def _send(doc: exports.FormDoc, fmt: str, warning, what: str) -> Response:
    if fmt == "xlsx":
        data, mime = exports.xlsx(doc), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        data, mime = exports.pdf(doc), "application/pdf"
    else:
        abort(404)
    audit.record(
        "records.exported",
        actor=current_user,
        warning_id=warning.id,
        summary=f"{warning.reference}: {what} {fmt.upper()}",
    )
    db.session.commit()
    return Response(
        data, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{doc.filename}.{fmt}"'}
    )


@bp.get("/warnings/<int:warning_id>/records/statistics.<fmt>")
@roles_required(*READERS)
def export_statistics(warning_id: int, fmt: str):
    warning = _own_warning(warning_id)
    now = clock.now()
    rows = record_figures.form_rows(_enterprise_figures(warning, now))
    return _send(record_forms.statistics_form(warning, now, enterprise_rows=rows), fmt, warning, "statistics")


@bp.get("/warnings/<int:warning_id>/records/report.<fmt>")
@roles_required(*READERS)
def export_written_report(warning_id: int, fmt: str):
    warning = _own_warning(warning_id)
    report = written_report.kept(warning)
    if report is None:
        if not any(r.state == "published" for r in warning.revisions):
            abort(404)
        title, body = written_report.draft(warning)
        # Not kept: exporting is not editing. Warning has no relationship back, so it stays out
        # of the session.
        report = WrittenReport(warning=warning, title=title, body=body, drafted_at=clock.now())
    return _send(record_forms.written_report_form(report), fmt, warning, "written report")


def _exercise(warning_id: int):
    warning = _own_warning(warning_id)
    if not warning.is_exercise:
        abort(404)
    return warning


@bp.route("/warnings/<int:warning_id>/drill", methods=["GET", "POST"])
@roles_required(*READERS)
def drill(warning_id: int):
    warning = _exercise(warning_id)
    office = record_forms.office_name(warning)
    record = drills.drill_record(warning, office)
    evaluation = drills.evaluation(warning, office)
    drill_form = DrillRecordForm(obj=record, formdata=None)
    for name in drills.ASSESSMENT:
        getattr(drill_form, f"a_{name}").data = (record.assessment or {}).get(name)
    eval_form = EvaluationForm(obj=evaluation, formdata=None)
    eval_form.evaluated_at.data = to_local(evaluation.evaluated_at)
    status = 200
    if request.method == "POST":
        if current_user.role not in OFFICE:
            abort(403)
        which = request.form.get("which")
        form = DrillRecordForm() if which == "drill" else EvaluationForm() if which == "evaluation" else None
        if form is None:
            abort(400)
        if form.validate():
            target = record if which == "drill" else evaluation
            if target.id is None:
                db.session.add(target)
            if which == "drill":
                for name in (
                    "location",
                    "organiser",
                    "commander",
                    "participants",
                    "method",
                    "problems",
                    "improvements",
                    "recorder",
                    "reviewer",
                ):
                    setattr(record, name, getattr(form, name).data or "")
                record.assessment = {
                    n: getattr(form, f"a_{n}").data for n in drills.ASSESSMENT if getattr(form, f"a_{n}").data
                }
                record.recorded_at = record.recorded_at or clock.now()
            else:
                for name in ("organiser", "lead", "members", "content"):
                    setattr(evaluation, name, getattr(form, name).data or "")
                evaluation.evaluated_at = to_utc(form.evaluated_at.data) or clock.now()
            target.updated_by_id, target.updated_at = current_user.id, clock.now()
            db.session.flush()
            audit.record(
                f"records.{which}_saved",
                actor=current_user,
                subject=target,
                warning_id=warning.id,
                summary=f"{warning.reference}: "
                + ("演练记录表" if which == "drill" else "应急效果评估表")
                + "已保存",
            )
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.drill", warning_id=warning.id))
        db.session.rollback()
        flash(_("Not saved: see the marked fields."), "error")
        status = 400
        if which == "drill":
            drill_form = form
        else:
            eval_form = form
    return render_template(
        "admin/records/drill.html",
        warning=warning,
        drill_form=drill_form,
        eval_form=eval_form,
        facts=drills.facts(warning),
        span=drills.span_text(warning),
        can_edit=current_user.role in OFFICE,
    ), status


@bp.get("/warnings/<int:warning_id>/drill/<which>.<fmt>")
@roles_required(*READERS)
def export_drill(warning_id: int, which: str, fmt: str):
    warning = _exercise(warning_id)
    office = record_forms.office_name(warning)
    if which == "record":
        doc = record_forms.drill_form(drills.drill_record(warning, office), warning)
    elif which == "evaluation":
        doc = record_forms.evaluation_form(drills.evaluation(warning, office), warning)
    else:
        abort(404)
    db.session.rollback()  # a record filled for the export only is not kept
    return _send(doc, fmt, warning, f"drill {which}")
