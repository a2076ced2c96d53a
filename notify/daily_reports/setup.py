"""Wiring of the units' daily reports into the app: the 09:30 and 10:00 standing jobs and the
units' filing page."""

from __future__ import annotations

from flask import Flask

from notify import scheduling
from notify.daily_reports import days, jobs
from notify.daily_reports.views import bp


def init_app(app: Flask) -> None:
    # Standing jobs: put into the job store whenever a scheduler starts (notify.scheduling).
    scheduling.standing_daily(
        jobs.remind_reports, hour=days.REMIND_HOUR, minute=days.REMIND_MINUTE, job_id="reports:remind"
    )
    scheduling.standing_daily(
        jobs.close_reports, hour=days.DUE_HOUR, minute=days.DUE_MINUTE, job_id="reports:close"
    )
    app.register_blueprint(bp)
