"""In a real browser at phone size: the dispatch page follows the deliveries without a reload,
and the draft form counts SMS segments as the office types."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from notify import clock, publication
from notify.channels import sms_segments
from notify.dispatch import progress
from notify.extensions import db
from notify.models import Delivery
from notify.models.screens import Screen
from tests.browser.conftest import console_login
from tests.conftest import expand_plans, take_to
from tests.notify.screens.conftest import issue

pytestmark = pytest.mark.browser
TABLE = Delivery.__table__


def _move(revision_id, n, offset, **values):
    ids = list(
        db.session.scalars(
            select(Delivery.id)
            .where(Delivery.revision_id == revision_id, Delivery.channel == "sms")
            .order_by(Delivery.id)
            .offset(offset)
            .limit(n)
        )
    )
    db.session.execute(update(TABLE).where(TABLE.c.id.in_(ids)).values(**values))
    db.session.commit()


def test_dispatch_page_follows_the_deliveries_without_reload(
    page, sample_users, sample_recipients, sample_published
):
    rid = sample_published.id
    db.session.remove()  # the server thread must see committed data only
    console_login(page, "publicity")
    page.goto(f"/admin/revisions/{rid}/dispatch")
    bar = page.locator("[data-test=progress]")
    expect(page.locator('[data-field="total"]')).to_have_text("316")
    expect(page.locator('td[data-count="pending"]')).to_have_text("316")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    # Numbers are masked for the publicity group, and the table fits the phone's width.
    expect(page.locator("td.address").first).to_have_text(re.compile(r"^•+\d{4}$"))
    page.evaluate("window.__sameDocument = true")

    now = clock.now()
    _move(rid, 100, 0, status="delivered", accepted_at=now, finished_at=now, updated_at=now)
    _move(rid, 58, 100, status="accepted", accepted_at=now, updated_at=now)
    expect(page.locator('td[data-count="delivered"]')).to_have_text("100")
    expect(page.locator('td[data-count="accepted"]')).to_have_text("58")
    expect(page.locator('td[data-count="pending"]')).to_have_text("158")
    expect(page.locator('[data-field="final"]')).to_have_text("100")
    expect(bar).to_have_attribute("aria-valuenow", "31.6")
    expect(page.locator('[data-bar="delivered"]')).to_have_attribute("style", re.compile(r"width: 31\.6"))
    expect(page.locator("#dispatch-chart rect[data-series=accepted]")).to_have_count(1)
    expect(page.locator("#dispatch-chart rect[data-series=delivered]")).to_have_count(1)

    _move(rid, 158, 158, status="failed", finished_at=now, updated_at=now, error_code="21211")
    expect(page.locator('td[data-count="failed"]')).to_have_text("158")
    expect(bar).to_have_attribute("aria-valuenow", "81.6")
    expect(page.locator("#dispatch-chart rect[data-series=failed]")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


TEXTS = [
    "",
    "Air quality alert",
    "^{}" * 60,
    "a" * 160,
    "a" * 161,
    "【盂县应急指挥部】" + "重" * 61,
    "【盂县应急指挥部】" + "重" * 62,
    "x" * 153 * 2 + "y",
    "emoji 😷 test",
    "line\nbreak`tick",
]


def test_draft_form_counts_segments_as_you_type(page, sample_users, sample_recipients):
    db.session.remove()
    console_login(page, "office")
    page.goto("/admin/warnings/new/heavy_pollution")
    panel = page.locator("[data-test=sms-preview]")
    expect(panel).to_have_attribute("data-state", "ready")
    zh = panel.locator('[data-sms="zh"]')
    expect(zh.locator('[data-field="text"]')).to_contain_text("【盂县应急指挥部】")
    expect(panel.locator('[data-field="audience-size"]')).to_have_text("316")
    before = int(zh.locator('[data-field="segments"]').inner_text())

    page.fill("input[name=headline_zh]", "盂县发布重污染天气黄色预警" + "，请各单位立即落实应急减排措施" * 6)
    expect(zh.locator('[data-field="text"]')).to_contain_text("立即落实应急减排措施，请各单位")
    expect(panel).to_have_attribute("data-state", "ready")
    text = zh.locator('[data-field="text"]').inner_text()
    server = sms_segments.count(text)
    expect(zh.locator('[data-field="segments"]')).to_have_text(str(server.segments))
    expect(zh.locator('[data-field="length"]')).to_have_text(str(server.length))
    # Each route's line follows the edit too; Chinese shows the same signature on both routes.
    for route in ("aliyun", "twilio"):
        line = zh.locator(f'[data-route="{route}"]')
        expect(line.locator('[data-field="route-segments"]')).to_have_text(str(server.segments))
        expect(line.locator('[data-field="route-length"]')).to_have_text(str(server.length))
    assert server.segments > before
    # The browser's own count agrees with the server's on the text it shows.
    expect(zh).to_have_attribute("data-js-segments", str(server.segments))
    en = zh.page.locator('[data-sms="en"]')
    expect(en).to_have_attribute("data-js-segments", en.locator('[data-field="segments"]').inner_text())
    total = int(panel.locator('[data-field="audience-segments"]').inner_text())
    assert total >= 313 * server.segments

    # And on texts chosen to sit on the rules' edges.
    for sample in TEXTS:
        js = page.evaluate("t => window.smsCount(t)", sample)
        py = sms_segments.count(sample)
        assert (js["encoding"], js["length"], js["segments"]) == (py.encoding, py.length, py.segments), sample


def _route_table(page) -> dict[str, dict[str, str]]:
    """Each row of the per-route table as {header text: cell text}, read as the reader sees it."""
    return page.evaluate(
        """() => {
          const heads = Array.from(document.querySelectorAll('[data-test=route-counts] thead th'))
            .slice(1).map(th => th.textContent.trim());
          const rows = {};
          document.querySelectorAll('#route-rows tr').forEach(tr => {
            const cells = Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim());
            rows[tr.querySelector('th').textContent.trim()] = Object.fromEntries(
              heads.map((h, i) => [h, cells[i]]));
          });
          return rows;
        }"""
    )


def test_route_table_keeps_each_count_under_its_status_after_a_refresh(
    page, make_screen, sample_users, sample_recipients, sample_kind, sample_levels
):
    screen_id = make_screen(name="县医院门诊大厅")[0].id
    rid = issue(sample_kind, sample_levels["yellow"], sample_users).id
    db.session.remove()  # the server thread must see committed data only
    console_login(page, "publicity")
    page.goto(f"/admin/revisions/{rid}/dispatch")
    expect(page.locator('td[data-count="pending"]')).to_have_text("317")
    expect(page.locator("[data-test=unreachable-screens]")).to_be_hidden()
    labels = json.loads(page.locator("#dispatch-labels").inner_text())["statuses"]

    # Different counts under every status, so that a count under the wrong header shows.
    now = clock.now()
    _move(rid, 100, 0, status="delivered", accepted_at=now, finished_at=now, updated_at=now)
    _move(rid, 58, 100, status="accepted", accepted_at=now, updated_at=now)
    _move(rid, 7, 158, status="failed", finished_at=now, updated_at=now, error_code="21211")
    _move(rid, 3, 165, status="dead", finished_at=now, updated_at=now, error_code="timeout")
    _move(rid, 2, 168, status="sent", accepted_at=now, updated_at=now)
    # The screen's gateway has not reported for an hour: its delivery is unreachable.
    db.session.execute(
        update(Screen.__table__)
        .where(Screen.__table__.c.id == screen_id)
        .values(heartbeat_due_at=now - timedelta(hours=1))
    )
    db.session.commit()

    expect(page.locator('td[data-count="delivered"]')).to_have_text("100")  # a refresh came
    expect(page.locator('td[data-count="unreachable"]')).to_have_text("1")
    counts = progress.shown_counts(rid, clock.now())
    shown = _route_table(page)
    # The server's order of statuses, the same as in the table of counts above it.
    heads = page.locator("[data-test=route-counts] thead th[data-status]").all_inner_texts()
    assert heads == [labels[s] for s in counts["statuses"]]
    assert (
        page.locator("[data-test=status-counts] td[data-count]").evaluate_all(
            "tds => tds.map(td => td.dataset.count)"
        )
        == counts["statuses"]
    )
    for title, table in (("Channel", counts["by_channel"]), ("Gateway", counts["by_gateway"])):
        for key, row in table.items():
            heading = next(h for h in shown if h.endswith(f": {key}"))
            expected = {labels[s]: str(row.get(s, 0)) for s in counts["statuses"]}
            assert shown[heading] == expected, (title, key)
    assert shown[next(h for h in shown if h.endswith(": led"))][labels["unreachable"]] == "1"

    # The screen is listed with the reason and a link to its page.
    listed = page.locator("[data-test=unreachable-screens]")
    expect(listed).to_be_visible()
    link = listed.locator(f'li[data-screen="{screen_id}"] a')
    expect(link).to_have_text("县医院门诊大厅")
    expect(link).to_have_attribute("href", f"/admin/screens/{screen_id}")
    expect(page.locator("[data-field=unreachable]")).to_have_text("1")


def test_dispatch_page_says_the_subscribers_are_still_being_written(
    page, sample_users, sample_recipients, sample_draft
):
    """Published, the responders' messages exist at once and the subscribers' are written after;
    until then the page says so and the dispatch is not done."""
    take_to(sample_draft, "approved", sample_users)
    publication.publish(sample_draft, sample_users["office"])
    rid = sample_draft.id
    db.session.remove()
    console_login(page, "publicity")
    page.goto(f"/admin/revisions/{rid}/dispatch")
    writing = page.locator("[data-test=expansion]")
    expect(writing).to_be_visible()
    expect(page.locator('[data-field="expansion-written"]')).to_have_text("0")
    expect(page.locator('[data-field="total"]')).to_have_text("113")
    page.evaluate("window.__sameDocument = true")

    expand_plans()
    db.session.remove()

    expect(writing).to_be_hidden()
    expect(page.locator('[data-field="total"]')).to_have_text("316")
    assert page.evaluate("window.__sameDocument") is True
