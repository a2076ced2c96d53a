"""`flask demo-day`: a response day's morning compressed, through the real filing and jobs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from freezegun import freeze_time
from sqlalchemy import func, select

from notify import scheduling
from notify.extensions import db
from notify.models import DailyReport, ResponseDay
from tests.conftest import take_to
from tests.notify.timed.conftest import events, messages, stored_jobs


def test_demo_day_plays_the_morning(app, sample_draft, sample_users, liaisons):
    with freeze_time(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)):
        take_to(sample_draft, "published", sample_users)
    with freeze_time(datetime(2026, 11, 23, 13, 0, tzinfo=UTC)):
        result = app.test_cli_runner().invoke(args=["demo-day", "--day", "2026-11-24", "--seconds", "0"])
    assert result.exit_code == 0, result.output
    assert "09:30 reminder" in result.output and "10:00 close" in result.output
    day = db.session.scalar(select(ResponseDay).where(ResponseDay.day == date(2026, 11, 24)))
    filed = db.session.scalar(
        select(func.count()).select_from(DailyReport).where(DailyReport.response_day_id == day.id)
    )
    assert filed == 16 + 4 and day.filed_at_close == 20 and day.reminded_units == 8
    # The simulated clock stamped the record: reports through the morning, the reminder at 09:30.
    times = sorted(r.filed_at for r in day.reports)
    assert times[0] == datetime(2026, 11, 23, 23, 5, tzinfo=UTC)  # 07:05
    assert day.reminded_at == datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
    assert day.closed_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert len(events("daily_report.closed")) == 1
    assert len([m for m in messages("daily_report") if "尚未报送" in m.body]) == 8


def test_standing_jobs_are_installed_once_and_keep_a_missed_run(app):
    with freeze_time(datetime(2026, 11, 23, 0, 0, tzinfo=UTC)):  # 08:00
        assert sorted(scheduling.install_standing()) == ["reports:close", "reports:remind"]
        assert scheduling.install_standing() == []  # already there: left alone
    assert {"reports:close", "reports:remind"} <= set(stored_jobs())
    with freeze_time(datetime(2026, 11, 23, 4, 0, tzinfo=UTC)):  # 12:00, both missed
        assert scheduling.install_standing() == []  # a restart must not skip them
        scheduling.tick()
    late = {e.detail["job"] for e in events("scheduler.late_run")}
    assert late == {"reports:close", "reports:remind"}
