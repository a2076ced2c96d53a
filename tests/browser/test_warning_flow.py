"""End to end in a real browser: draft, submit, approve as another user, publish, and see the
public page change — in Chinese and in English, on a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notify.extensions import db
from tests.browser.conftest import console_login

pytestmark = pytest.mark.browser

LABELS = {
    "zh_CN": {"html": "zh-CN", "advice": "健康防护引导", "level": "橙色预警", "submitted": "已提交审批"},
    "en": {
        "html": "en",
        "advice": "Health advice",
        "level": "Orange warning",
        "submitted": "Submitted for approval",
    },
}


def _logout(page):
    page.click("[data-test=logout]")
    expect(page.locator("input[name=username]")).to_be_visible()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_draft_approve_publish_and_public_page(lang, page, sample_users, sample_recipients):
    db.session.remove()  # the server thread must see committed data only
    labels = LABELS[lang]
    page.goto(f"/lang/{lang}?next=/")
    expect(page.locator("html")).to_have_attribute("lang", labels["html"])
    expect(page.locator("[data-empty]")).to_be_visible()

    # Office staff drafts an orange warning; choosing the level reloads its advice.
    console_login(page, "office")
    page.click("[data-kind=heavy_pollution]")
    with page.expect_navigation():
        page.select_option("select[name=level]", "orange")
    expect(page.locator("textarea[name=adv_health_zh]")).to_contain_text("儿童")
    page.fill("input[name=headline_zh]", "盂县发布重污染天气橙色预警")
    page.fill("input[name=headline_en]", "Yu County issues an orange heavy-pollution warning")
    page.select_option("select[name=primary_pollutant]", "PM2.5")
    page.fill("input[name=aqi_min]", "200")
    page.fill("input[name=aqi_max]", "260")
    page.click("[data-test=save-draft]")
    expect(page.locator("[data-state=draft]").first).to_be_visible()

    # Files the approval form (附件5) and submits.
    page.fill("textarea[name=basis]", "会商结论：预计日AQI>200持续48小时")
    page.fill("textarea[name=department_opinion]", "同意发布")
    page.click("[data-test=submit]")
    expect(page.locator(".flash-success")).to_contain_text(labels["submitted"])
    expect(page.locator("[data-state=pending_approval]").first).to_be_visible()
    revision_url = page.url
    _logout(page)

    # The deputy commander sees the audience size, confirms it and approves.
    console_login(page, "deputy")
    page.goto(revision_url)
    audience = page.locator("[data-audience]")
    # The demo recipients of the groups heavy pollution reaches, the test group excluded.
    expect(audience).to_have_attribute("data-audience", "316")
    page.check("input[name=confirm_audience]")
    page.fill("textarea[name=opinion]", "同意")
    page.click("[data-test=approve]")
    expect(page.locator(".flash-success")).to_be_visible()
    _logout(page)

    # Not yet public: approved is not published.
    page.goto("/")
    expect(page.locator("[data-empty]")).to_be_visible()

    # The office publishes: the button first asks, stating who it goes to, and the server
    # refuses until the audience is confirmed.
    console_login(page, "office")
    page.goto(revision_url)
    page.click("[data-test=publish]")
    expect(page.locator("#publish-form [data-audience]")).to_have_attribute("data-audience", "316")
    expect(page.locator("[data-test=audience-groups] tbody tr").first).to_be_visible()
    page.click("[data-test=confirm-publish]")
    expect(page.locator(".flash-error")).to_be_visible()
    page.goto("/")
    expect(page.locator("[data-empty]")).to_be_visible()
    page.goto(revision_url)
    page.click("[data-test=publish]")
    page.check("[data-test=confirm-audience]")
    page.click("[data-test=confirm-publish]")
    expect(page.locator(".flash-success")).to_be_visible()
    # The public page now shows the warning in the chosen language.
    page.goto("/")
    card = page.locator("article.warning-card[data-level=orange]")
    expect(card).to_be_visible()
    expect(card.locator(".level-name")).to_have_text(labels["level"])
    expect(card).to_contain_text(labels["advice"])
    headline = (
        "盂县发布重污染天气橙色预警"
        if lang == "zh_CN"
        else "Yu County issues an orange heavy-pollution warning"
    )
    expect(card.locator(".headline")).to_have_text(headline)
    background = card.locator(".warning-band").evaluate("e => getComputedStyle(e).backgroundColor")
    assert re.fullmatch(r"rgb\(240, 138, 0\)", background), background  # #F08A00, the orange of the level
