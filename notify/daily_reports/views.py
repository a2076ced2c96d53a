"""The member units' filing page, reached through the signed link in their SMS (no account).

Phone-sized first: the link is opened on the liaison's phone. It shows the response, the
level's measures (from the approved snapshot) and the form; after filing, what was filed.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from notify import clock
from notify.daily_reports import days
from notify.daily_reports.filing import ReportRejected, existing, file_report
from notify.daily_reports.forms import DailyReportForm
from notify.extensions import db

bp = Blueprint("unit_reports", __name__, template_folder="../templates")


def _resolve(token: str):
    try:
        return days.read_token(token)
    except days.LinkInvalid as err:
        message = (
            _("This link has expired. Ask the command office for a new one.")
            if err.expired
            else _("This link is not valid. Use the link from the office's message.")
        )
        abort(
            make_response(
                render_template("unit_reports/invalid.html", message=message), 410 if err.expired else 404
            )
        )


@bp.route(days.LINK_PREFIX + "<token>", methods=["GET", "POST"])
def file(token: str):
    day, unit = _resolve(token)
    warning = day.warning
    in_force = days.revision_on(warning, day.due_at) or warning.current
    content = in_force.snapshot.content if in_force is not None and in_force.snapshot else None
    report = existing(day, unit)
    form = DailyReportForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            status = 400
        else:
            try:
                file_report(day, unit, form.data_for_filing(), form.files(), via="link")
                db.session.commit()
            except ReportRejected as err:
                db.session.rollback()
                form.mark(err.errors)
                status = err.status
            else:
                flash(_("Your report was received. Thank you."), "success")
                return redirect(url_for("unit_reports.file", token=token))
        flash(_("The report was not filed; see the marked fields."), "error")
    elif report is not None:
        form.reporter_name.data = report.reporter_name
        form.reporter_phone.data = report.reporter_phone
    return render_template(
        "unit_reports/file.html",
        form=form,
        day=day,
        unit=unit,
        warning=warning,
        content=content,
        report=existing(day, unit),
        now=clock.now(),
        reported_day=day.day - timedelta(days=1),
        jurisdiction=warning.jurisdiction,
    ), status
