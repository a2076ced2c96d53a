"""Wiring of the timed work and records into the app: ORM watchers, standing daily jobs, the
units' filing page and the `flask demo-day` command."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from notify.daily_reports import jobs  # noqa: F401  (declares the 09:30 and 10:00 jobs)
    from notify.daily_reports.views import bp as unit_reports_bp
    from notify.timed import demo_day, watch  # noqa: F401  (subscribes to the lifecycle)

    app.register_blueprint(unit_reports_bp)
    demo_day.init_app(app)
