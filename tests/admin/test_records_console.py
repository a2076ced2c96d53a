"""Console pages of the timed work and records (issue 6)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import func, select

from notify.extensions import db
from notify.models import (
    AuditEvent,
    DailyReport,
    DrillRecord,
    DutyContact,
    PublicationSchedule,
    ResponseDay,
    ResponseSummary,
    Warning,
    WrittenReport,
)
from tests.conftest import fresh, login, take_to
from tests.notify.timed.conftest import stored_jobs

# Timed publications are stored jobs: each test starts without a store scheduler of its own.
pytestmark = pytest.mark.usefixtures("fresh_scheduler")

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_timed_publication_from_the_records_page(client, sample_draft, sample_users):
    with freeze_time(T0):
        take_to(sample_draft, "approved", sample_users)
        login(client, "office")
        page = client.get(f"/admin/warnings/{sample_draft.warning_id}/records")
        assert page.status_code == 200 and 'data-test="publish-at-start"' in page.get_data(as_text=True)
        assert client.post(f"/admin/revisions/{sample_draft.id}/publish-at-start").status_code == 302
    fresh()
    assert db.session.scalar(select(PublicationSchedule.state)) == "scheduled"
    assert f"publish:{sample_draft.id}" in stored_jobs()
    with freeze_time(T0):
        page = client.get(f"/admin/warnings/{sample_draft.warning_id}/records").get_data(as_text=True)
        assert 'data-schedule-state="scheduled"' in page and 'data-test="cancel-timed"' in page
        assert (
            client.post(
                f"/admin/revisions/{sample_draft.id}/publish-at-start", data={"cancel": "1"}
            ).status_code
            == 302
        )
    fresh()
    assert db.session.scalar(select(PublicationSchedule.state)) == "cancelled"


def test_timed_publication_refusals_are_4xx(client, sample_draft, sample_users):
    login(client, "office")
    response = client.post(f"/admin/revisions/{sample_draft.id}/publish-at-start")  # a draft
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(PublicationSchedule)) == 0
    client.post("/admin/logout")
    login(client, "deputy")
    assert client.post(f"/admin/revisions/{sample_draft.id}/publish-at-start").status_code == 403
    client.post("/admin/logout")
    login(client, "publicity")
    assert client.get(f"/admin/warnings/{sample_draft.warning_id}/records").status_code == 403


def test_summary_report_and_exports(client, sample_published, sample_users):
    login(client, "office")
    wid = sample_published.warning_id
    assert (
        client.post(
            f"/admin/warnings/{wid}/records/summary",
            data={
                "measures_summary": "各成员单位落实Ⅲ级响应措施。",
                "effects": "污染峰值降低。",
                "problems": "",
                "suggestions": "",
                "filled_by": "王办公",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(f"/admin/warnings/{wid}/records/summary", data={"effects": "长" * 5001}).status_code
        == 303
    )
    fresh()
    assert db.session.scalar(select(ResponseSummary.effects)) == "污染峰值降低。"
    book = load_workbook(io.BytesIO(client.get(f"/admin/warnings/{wid}/records/statistics.xlsx").data)).active
    assert any(row == ("取得的成效", "污染峰值降低。") for row in book.iter_rows(values_only=True))
    pdf = client.get(f"/admin/warnings/{wid}/records/statistics.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert client.get(f"/admin/warnings/{wid}/records/statistics.docx").status_code == 404
    assert (
        client.post(f"/admin/warnings/{wid}/records/report", data={"title": "", "body": ""}).status_code
        == 303
    )
    assert (
        client.post(
            f"/admin/warnings/{wid}/records/report", data={"title": "关于…的报告", "body": "正文"}
        ).status_code
        == 302
    )
    fresh()
    assert db.session.scalar(select(WrittenReport.body)) == "正文"
    assert client.post(f"/admin/warnings/{wid}/records/report", data={"redraft": "1"}).status_code == 302
    fresh()
    assert "一、预警级别及变化情况" in db.session.scalar(select(WrittenReport.body))
    assert client.get(f"/admin/warnings/{wid}/records/report.pdf").status_code == 200
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.warning_id == wid)))
    assert {"records.summary_saved", "records.written_report_saved", "records.exported"} <= actions


def test_exercise_through_the_console_and_its_drill_page(client, sample_recipients, sample_users):
    login(client, "office")
    response = client.post(
        "/admin/warnings/new/heavy_pollution?exercise=1",
        data={
            "level": "yellow",
            "headline_zh": "演练：盂县发布重污染天气黄色预警",
            "headline_en": "",
            "area_scope": "county",
            "consultation": "0",
            "trend": "",
            "degree": "",
            "primary_pollutant": "PM2.5",
            "aqi_min": "160",
            "aqi_max": "220",
            "response_start_at": "2026-11-23T20:00",
        },
    )
    assert response.status_code == 302
    fresh()
    warning = db.session.scalar(select(Warning))
    assert warning.is_exercise
    assert client.get(f"/admin/warnings/{warning.id}").get_data(as_text=True).count("演练") >= 1
    take_to(warning.revisions[0], "published", sample_users)
    page = client.get(f"/admin/warnings/{warning.id}/drill")
    assert page.status_code == 200 and 'data-sent="2"' in page.get_data(as_text=True)
    data = {
        "which": "drill",
        "location": "县应急指挥中心",
        "organiser": "县应急指挥部办公室",
        "commander": "赵副总指挥",
        "participants": "办公室、宣传报道组",
        "method": "桌面推演",
        "a_suitability": "all",
        "a_effect": "partly",
        "problems": "",
        "improvements": "",
        "recorder": "王办公",
        "reviewer": "周主任",
    }
    assert client.post(f"/admin/warnings/{warning.id}/drill", data=data).status_code == 302
    assert (
        client.post(f"/admin/warnings/{warning.id}/drill", data={**data, "a_effect": "nonsense"}).status_code
        == 400
    )
    fresh()
    record = db.session.scalar(select(DrillRecord))
    assert record.assessment == {"suitability": "all", "effect": "partly"} and record.reviewer == "周主任"
    xlsx = client.get(f"/admin/warnings/{warning.id}/drill/record.xlsx")
    rows = dict(
        r[:2]
        for r in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(min_row=2, values_only=True)
        if r[0]
    )
    assert rows["演练地点"] == "县应急指挥中心" and rows["实战效果评价"].startswith(
        "□达到预期目标  ■基本达到目的"
    )
    assert client.get(f"/admin/warnings/{warning.id}/drill/evaluation.pdf").status_code == 200
    assert client.get(f"/admin/warnings/{warning.id + 999}/drill").status_code == 404


def test_daily_reports_console_and_unit_filing(client, sample_published, sample_users, sample_jurisdiction):
    unit = sample_jurisdiction.member_units[4]
    sample_users["unit"].member_unit_id = unit.id
    day = ResponseDay(
        warning_id=sample_published.warning_id,
        day=datetime(2026, 11, 24).date(),
        due_at=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
    )
    db.session.add(day)
    db.session.commit()
    login(client, "unit")
    assert client.get("/admin/daily-reports").status_code == 200
    assert client.get(f"/admin/daily-reports/{day.id}").status_code == 403
    with freeze_time(datetime(2026, 11, 24, 1, 0, tzinfo=UTC)):
        assert (
            client.post(
                f"/admin/daily-reports/{day.id}/file",
                data={"measures": "", "reporter_name": "孙"},
                content_type="multipart/form-data",
            ).status_code
            == 400
        )
        assert (
            client.post(
                f"/admin/daily-reports/{day.id}/file",
                data={"measures": "检查加油站8座。", "reporter_name": "孙联络员", "inspections": "8"},
                content_type="multipart/form-data",
            ).status_code
            == 302
        )
    fresh()
    report = db.session.scalar(select(DailyReport))
    assert (report.member_unit_id, report.via, report.late, report.filed_by_id) == (
        unit.id,
        "console",
        False,
        sample_users["unit"].id,
    )
    client.post("/admin/logout")
    login(client, "office")
    page = client.get(f"/admin/daily-reports/{day.id}").get_data(as_text=True)
    assert "检查加油站8座。" in page
    assert unit.name_zh not in page.split('data-test="missing"')[1].split("</ul>")[0]


def test_duty_contacts(client, sample_users, sample_jurisdiction):
    login(client, "office")
    assert (
        client.post(
            "/admin/duty-contacts",
            data={"duty": "office_director", "name": "周主任", "phone": "0353-8083066"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/admin/duty-contacts",
            data={"duty": "unit_liaison", "member_unit": "nope", "name": "某", "phone": "13900000009"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/admin/duty-contacts",
            data={
                "duty": "unit_liaison",
                "member_unit": "gov_office",
                "name": "王联络员",
                "phone": "139 0000 0009",
            },
        ).status_code
        == 302
    )
    fresh()
    contact = db.session.scalar(select(DutyContact))
    assert contact.phone == "+8613900000009" and contact.member_unit.code == "gov_office"
    assert client.post("/admin/duty-contacts", data={"deactivate": str(contact.id)}).status_code == 302
    fresh()
    assert db.session.get(DutyContact, contact.id).active is False


def test_an_exercise_is_marked_in_the_approval_queue_and_on_its_revision(
    client, sample_recipients, sample_kind, sample_levels, sample_users
):
    from notify.lifecycle.proposals import propose_issue
    from tests.conftest import proposal

    drill = propose_issue(
        sample_kind, proposal(sample_levels["yellow"]), sample_users["office"], exercise=True
    )
    db.session.commit()
    take_to(drill, "pending_approval", sample_users)
    login(client, "deputy")
    assert 'data-test="exercise-badge"' in client.get("/admin/approvals").get_data(as_text=True)
    assert 'data-test="exercise-badge"' in client.get(f"/admin/revisions/{drill.id}").get_data(as_text=True)
