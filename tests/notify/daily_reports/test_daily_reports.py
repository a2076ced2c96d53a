"""Member units' tasks and daily reports on a frozen clock (plan §5.4, §5.6, §7.1)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta, timezone

from freezegun import freeze_time
from PIL import Image
from sqlalchemy import func, select

from notify import scheduling
from notify.daily_reports import days
from notify.extensions import db
from notify.models import DailyReport, DailyReportAttachment, MemberUnit, ResponseDay, UnitTask
from tests.conftest import fresh, take_to
from tests.notify.daily_reports.test_pdf_attachments import printed_pdf
from tests.notify.timed.conftest import events, messages, stored_jobs

# sample_draft's response starts 2026-11-23 12:00 UTC = 20:00 in Yu County.
APPROVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DAY1 = date(2026, 11, 24)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone(timedelta(hours=8)))


def published(draft, users):
    with freeze_time(APPROVED):
        take_to(draft, "published", users)
    return draft


def link_in(body: str) -> str:
    return re.search(r"(/r/\S+)$", body).group(1)


def test_units_get_their_tasks_when_the_response_starts(sample_draft, sample_users, liaisons):
    revision = published(sample_draft, sample_users)
    assert f"unit_tasks:{revision.id}" in stored_jobs()
    with freeze_time(revision.response_start_at - timedelta(minutes=1)):
        scheduling.tick()
    assert messages("unit_task") == []
    with freeze_time(revision.response_start_at):
        scheduling.tick()
        scheduling.tick()
    fresh()
    sms = messages("unit_task")
    assert len(sms) == len(liaisons) == 23
    units = db.session.scalar(select(func.count()).select_from(MemberUnit))
    assert db.session.scalar(select(func.count()).select_from(UnitTask)) == units  # the landline-only one too
    first = next(d for d in sms if d.address == liaisons["gov_office"])
    assert "县政府办公室" in first.body and "黄色预警" in first.body and "11月24日10:00前" in first.body
    assert "/r/" in first.body
    [sent] = events("unit_tasks.sent")
    assert sent.warning_id == revision.warning_id and sent.detail["units_without_mobile"] == 1
    assert db.session.scalar(select(ResponseDay.day)) == DAY1


def test_an_exercise_sends_no_tasks(sample_kind, sample_levels, sample_users, liaisons):
    from notify.lifecycle.proposals import propose_issue
    from tests.conftest import proposal

    drill = propose_issue(
        sample_kind, proposal(sample_levels["yellow"]), sample_users["office"], exercise=True
    )
    db.session.commit()
    published(drill, sample_users)
    with freeze_time(drill.response_start_at + timedelta(minutes=1)):
        scheduling.tick()
    assert messages("unit_task") == []
    assert days.warnings_reporting_on(DAY1) == []


def _file(client, link, **fields):
    data = {
        "measures": "夜查重点企业12家，未发现违规生产。",
        "reporter_name": "李联络员",
        "inspections": "12",
        "problems_found": "2",
        "problems_fixed": "1",
        **fields,
    }
    return client.post(link, data=data, content_type="multipart/form-data")


def test_a_day_of_reports_reminder_and_close(client, sample_draft, sample_users, liaisons):
    revision = published(sample_draft, sample_users)
    with freeze_time(revision.response_start_at):
        scheduling.tick()
        scheduling.install_standing()
    fresh()
    assert {"reports:remind", "reports:close"} <= set(stored_jobs())
    links = {d.address: link_in(d.body) for d in messages("unit_task")}
    # 08:10: two units file through their links.
    with freeze_time(local(DAY1, 8, 10)):
        assert _file(client, links[liaisons["gov_office"]]).status_code == 302
        assert _file(client, links[liaisons["publicity_dept"]], measures="加强宣传").status_code == 302
        page = client.get(links[liaisons["gov_office"]])
        assert "夜查重点企业12家" in page.get_data(as_text=True)
    fresh()
    # 09:30: the others are reminded, each with its own link; the two who filed are not.
    with freeze_time(local(DAY1, 9, 30)):
        scheduling.tick()
    fresh()
    reminders = messages("daily_report")
    assert len(reminders) == 21
    assert liaisons["gov_office"] not in {d.address for d in reminders}
    assert all("尚未报送11月23日" in d.body for d in reminders)
    with freeze_time(local(DAY1, 9, 50)):
        assert _file(client, link_in(reminders[0].body)).status_code == 302
    # 10:00: the day closes; the office's summary and missing list are kept.
    with freeze_time(local(DAY1, 10, 0)):
        scheduling.tick()
    fresh()
    day = db.session.scalar(select(ResponseDay).where(ResponseDay.day == DAY1))
    assert day.filed_at_close == 3 and day.reminded_units == 22
    assert day.missing_at_close.count("、") == 24 - 3 - 1
    [closed] = events("daily_report.closed")
    assert closed.warning_id == revision.warning_id and "已报 3/24" in closed.summary
    # The response goes on: tomorrow's links went out at 10:00.
    tomorrow = db.session.scalar(select(ResponseDay).where(ResponseDay.day == DAY1 + timedelta(days=1)))
    assert tomorrow.links_sent_at == local(DAY1, 10, 0)
    assert len(messages("daily_report")) == 21 + 23
    # A report after 10:00 is accepted and marked late; the closed figures stay as they were.
    with freeze_time(local(DAY1, 11, 0)):
        assert _file(client, link_in(reminders[1].body)).status_code == 302
    fresh()
    late = db.session.scalars(select(DailyReport).where(DailyReport.late.is_(True))).all()
    assert len(late) == 1
    assert db.session.get(ResponseDay, day.id).filed_at_close == 3
    # Per day: the next day's reports are a new set.
    with freeze_time(local(DAY1 + timedelta(days=1), 9, 30)):
        scheduling.tick()
    fresh()
    assert len(messages("daily_report")) == 21 + 23 + 23


def test_bad_input_is_refused_and_nothing_is_kept(
    client, sample_draft, sample_users, liaisons, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "DAILY_REPORT_DIR", str(tmp_path))
    revision = published(sample_draft, sample_users)
    with freeze_time(revision.response_start_at):
        scheduling.tick()
    fresh()
    link = link_in(messages("unit_task")[0].body)
    with freeze_time(local(DAY1, 8, 0)):
        assert _file(client, link, measures="").status_code == 400
        assert _file(client, link, problems_fixed="5").status_code == 400
        fake = (io.BytesIO(b"MZ\x90\x00 not a photo"), "photo.jpg")
        response = _file(client, link, attachments=fake)
        assert response.status_code == 400 and "夜查重点企业12家" in response.get_data(as_text=True)
        scripted = (
            io.BytesIO(b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>\n%%EOF"),
            "r.pdf",
        )
        assert _file(client, link, attachments=scripted).status_code == 400
        assert client.get(link[:-3] + "xyz").status_code == 404
        assert client.get("/r/not-a-token").status_code == 404
    fresh()
    assert db.session.scalar(select(func.count()).select_from(DailyReport)) == 0
    assert list(tmp_path.rglob("*.*")) == []
    # A good photo and PDF are kept, the photo re-encoded; the link dies a day after its deadline.
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo, "PNG")
    pdf = printed_pdf()  # a real one: a PDF the parser cannot read is refused
    with freeze_time(local(DAY1, 8, 30)):
        response = _file(
            client,
            link,
            attachments=[(io.BytesIO(photo.getvalue()), "现场.png"), (io.BytesIO(pdf), "台账.pdf")],
        )
        assert response.status_code == 302
    fresh()
    kept = db.session.scalars(select(DailyReportAttachment).order_by(DailyReportAttachment.id)).all()
    assert [(a.original_name, a.content_type) for a in kept] == [
        ("现场.png", "image/jpeg"),
        ("台账.pdf", "application/pdf"),
    ]
    assert len(list(tmp_path.rglob("*.jpg"))) == 1 and len(list(tmp_path.rglob("*.pdf"))) == 1
    with freeze_time(local(DAY1 + timedelta(days=1), 10, 1)):
        assert client.get(link).status_code == 410
