"""The main pages under their Content-Security-Policy in a real browser: the policy is in force,
nothing on the pages breaks it, and the pages' scripts still do their work (issue 13, item 15)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notify.extensions import db
from tests.browser.conftest import console_login

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page):
    """What the browser reports against the policy, and any script error, while the test runs."""
    found: list[str] = []

    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            found.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    policy = response.headers.get("content-security-policy", "")
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )


def test_public_pages_keep_to_the_policy(page, violations, sample_published):
    reference = sample_published.warning.reference
    db.session.remove()  # the server thread must see committed data only
    for path in ("/", "/en/", "/history", "/advice", f"/warnings/{reference}"):
        visit(page, path)
    visit(page, "/tipoffs/new")
    captcha = page.locator("#captcha-image")
    before = captcha.get_attribute("src")
    page.click("#captcha-refresh")  # tipoffs.js: a new captcha picture
    expect(captcha).not_to_have_attribute("src", before or "")
    assert violations == []


def test_console_pages_keep_to_the_policy_and_their_scripts_work(
    page, violations, sample_users, sample_recipients, sample_published
):
    revision_id = sample_published.id
    db.session.remove()
    console_login(page, "office")

    # proposal_form.js: choosing a level reloads the form with it; sms_counter.js fills the panel.
    visit(page, "/admin/warnings/new/heavy_pollution")
    with page.expect_navigation():
        page.select_option("select[name=level]", "orange")
    assert "level=orange" in page.url
    page.fill("input[name=headline_zh]", "盂县发布重污染天气橙色预警")
    expect(page.locator("#sms-preview")).to_have_attribute("data-state", "ready")

    # dispatch.js and school_dashboard.js poll and draw without breaking the policy.
    visit(page, f"/admin/revisions/{revision_id}/dispatch")
    expect(page.locator("#dispatch [role=progressbar]")).to_have_attribute("aria-valuenow", re.compile(r"\d"))
    visit(page, f"/admin/revisions/{revision_id}/schools")

    # submit_on_change.js: the township filter applies as soon as it is chosen.
    visit(page, "/admin/schools")
    first = page.locator("select#township option").nth(1).get_attribute("value")
    with page.expect_navigation():
        page.select_option("select#township", first)
    assert f"township={first}" in page.url
    page.wait_for_timeout(500)  # let the pollers run once more
    assert violations == []
