"""On a phone-sized screen, in both languages: the current warning with its advice, the level's
advice page, the history and a warning's page with its CAP documents, all served from the static
export, and the language switch that works without the app."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.public import export
from notify.public.export_runner import run_pending
from tests.conftest import proposal, take_to

pytestmark = pytest.mark.browser

WORDS = {
    "zh": {"level": "橙色预警", "advice": "健康防护引导", "history": "历史", "yellow": "黄色预警"},
    "en": {
        "level": "Orange warning",
        "advice": "Health advice",
        "history": "History",
        "yellow": "Yellow warning",
    },
}


@pytest.fixture
def published_orange(app, sample_users, sample_kind, sample_levels):
    export.clear(app)
    issue = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    db.session.commit()
    take_to(issue, "published", sample_users)
    upgrade = propose_change(
        issue.warning,
        "upgrade",
        proposal(
            sample_levels["orange"],
            headline_zh="盂县重污染天气预警升级为橙色",
            headline_en="Yu County upgrades to an orange warning",
        ),
        sample_users["office"],
    )
    take_to(upgrade, "published", sample_users)
    assert run_pending(app) is True  # what the web process's export runner does after publishing
    reference = issue.warning.reference
    db.session.remove()  # the server thread must see committed data only
    assert (export.export_dir(app) / "en" / "index.html").exists()
    yield reference
    export.clear(app)


def _fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px screen"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_current_warning_advice_history_and_warning_page_on_a_phone(lang, page, published_orange):
    words = WORDS[lang]
    start = "/" if lang == "zh" else "/en/"
    response = page.goto(start)
    assert response.headers["etag"] and response.headers["cache-control"] == "public, max-age=60"
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
    card = page.locator("article.warning-card[data-level=orange]")
    expect(card.locator(".level-name")).to_have_text(words["level"])
    expect(card).to_contain_text(words["advice"])
    _fits_the_screen(page)

    # The level's advice page, then back through the nav to the history.
    card.locator("[data-test=advice-link]").click()
    prefix = "" if lang == "zh" else "/en"
    expect(page).to_have_url(re.compile(rf"^http://[^/]+{prefix}/advice/heavy_pollution/orange$"))
    expect(page.locator("article.advice-page .level-name")).to_have_text(words["level"])
    expect(page.locator("article.advice-page")).to_contain_text(words["advice"])
    _fits_the_screen(page)
    page.click("[data-test=nav-advice]")
    expect(page.locator("[data-kind=heavy_pollution] a[data-level=red]")).to_be_visible()

    page.click("[data-test=nav-history]")
    expect(page.locator("h1")).to_contain_text(words["history"])
    steps = page.locator("ol.history li")
    expect(steps).to_have_count(2)
    expect(steps.first).to_contain_text(words["level"])
    expect(steps.nth(1)).to_contain_text(words["yellow"])
    _fits_the_screen(page)

    # The warning's page lists each published step with its CAP document.
    steps.first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"^http://[^/]+{prefix}/warnings/{published_orange}$"))
    caps = page.locator("[data-test=cap-link]")
    expect(caps).to_have_count(2)
    cap = page.request.get(caps.first.get_attribute("href"))
    assert cap.ok and cap.headers["content-type"].startswith("application/cap+xml")
    assert b"<msgType>Update</msgType>" in cap.body()
    _fits_the_screen(page)


def test_the_language_switch_moves_between_the_twins(page, published_orange):
    page.goto(f"/warnings/{published_orange}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.click("[data-lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(f"/en/warnings/{published_orange}")
    expect(page.locator(".headline")).to_have_text("Yu County upgrades to an orange warning")
    page.click("[data-lang=zh_CN]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator(".headline")).to_have_text("盂县重污染天气预警升级为橙色")
    # The app remembered the choice: its other pages are in Chinese too.
    page.goto("/tipoffs/new")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
