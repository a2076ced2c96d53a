"""In a real browser: a member unit files its daily report from the SMS link on a phone-sized
screen, with a photo; and the office sets an approved revision to publish at its response start
from the console's records page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from notify import clock
from notify.daily_reports import days
from notify.extensions import db
from notify.lifecycle.proposals import propose_issue
from notify.models import DailyReport, PublicationSchedule
from notify.timed.zone import local_date
from tests.browser.conftest import console_login
from tests.conftest import proposal, take_to

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_scheduler")]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 200)).save(out, "PNG")
    return out.getvalue()


def test_a_unit_files_from_its_link_on_a_phone(page, sample_published, sample_jurisdiction):
    unit = sample_jurisdiction.member_units[3]
    day = days.ensure_day(sample_published.warning, local_date(clock.now()) + timedelta(days=1))
    db.session.commit()
    link = days.link_for(day, unit).split("/r/", 1)[1]
    unit_name, day_id = unit.name_zh, day.id
    db.session.remove()

    assert page.viewport_size["width"] <= 400
    page.goto(f"/r/{link}")
    expect(page.locator("[data-test=unit-name]")).to_have_text(unit_name)
    expect(page.locator("[data-test=tasks]")).to_be_visible()
    # Nothing is wider than the phone: no sideways scrolling to reach a field.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("[data-test=file-report]")  # empty: refused, with the reason at the field
    expect(page.locator("[data-error=measures]")).to_be_visible()
    page.fill("textarea[name=measures]", "出动执法人员12人次，检查施工工地6处，责令停工2处。")
    page.fill("input[name=inspections]", "6")
    page.fill("input[name=problems_found]", "2")
    page.fill("input[name=problems_fixed]", "2")
    page.fill("input[name=reporter_name]", "刘联络员")
    page.fill("input[name=reporter_phone]", "13903530103")
    page.set_input_files(
        "input[name=attachments]", files=[{"name": "工地停工.png", "mimeType": "image/png", "buffer": _png()}]
    )
    box = page.locator("[data-test=file-report]").bounding_box()
    assert box["width"] >= 300 and box["height"] >= 40  # a thumb-sized button
    page.click("[data-test=file-report]")
    expect(page.locator("[data-test=filed]")).to_contain_text("责令停工2处")
    expect(page.locator("[data-test=filed]")).to_contain_text("工地停工.png")

    report = db.session.scalar(select(DailyReport).where(DailyReport.response_day_id == day_id))
    assert report.via == "link" and report.problems_fixed == 2 and len(report.attachments) == 1
    assert report.attachments[0].content_type == "image/jpeg"


def test_office_sets_publication_at_the_response_start(page, sample_users, sample_kind, sample_levels):
    start = (clock.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    revision = propose_issue(
        sample_kind, proposal(sample_levels["yellow"], response_start_at=start), sample_users["office"]
    )
    db.session.commit()
    take_to(revision, "approved", sample_users)
    warning_id, revision_id = revision.warning_id, revision.id
    db.session.remove()

    page.set_viewport_size({"width": 1280, "height": 900})
    console_login(page, "office")
    page.goto(f"/admin/warnings/{warning_id}")
    page.click("[data-test=records-link]")
    page.click("[data-test=publish-at-start]")
    expect(page.locator("[data-schedule-state=scheduled]")).to_be_visible()
    expect(page.locator("[data-test=cancel-timed]")).to_be_visible()
    row = db.session.scalar(select(PublicationSchedule).where(PublicationSchedule.revision_id == revision_id))
    assert row.state == "scheduled" and row.run_at == start
    page.click("[data-test=cancel-timed]")
    expect(page.locator("[data-schedule-state=cancelled]")).to_be_visible()
