"""Debian's chromium driven by Playwright, against the live server of tests/conftest.py."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def console_login(page, username):
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    page.goto("/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    expect(page.locator("[data-test=logout]")).to_be_visible()
