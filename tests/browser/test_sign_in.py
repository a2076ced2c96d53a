"""Sign-in in a real browser: a deputy commander turns on the second factor from the QR page,
then logs in with a code from their app; the password page keeps the user logged in."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from notify import clock
from tests.browser.conftest import console_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now().timestamp() + 30 * steps_ahead)


def test_a_deputy_turns_on_the_second_factor_and_logs_in_with_a_code(page, sample_users, tmp_path):
    console_login(page, "deputy")
    page.click("[data-test=nav-second-factor]")
    expect(page.locator("[data-test=totp-qr]")).to_be_visible()
    page.screenshot(path=str(tmp_path / "enrol.png"), full_page=True)
    secret = page.locator("[data-test=totp-secret]").inner_text().strip()
    page.fill("input[name=code]", _code(secret))
    page.click("[data-test=totp-enrol]")
    expect(page.locator("[data-test=totp-on]")).to_be_visible()
    expect(page.locator("[data-test=totp-secret]")).to_have_count(0)

    page.click("[data-test=logout]")
    page.fill("input[name=username]", "deputy")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    expect(page.locator("input[name=code]")).to_be_visible()
    page.fill("input[name=code]", _code(secret, 1))
    page.click("form.stacked button[type=submit]")
    expect(page.locator("[data-test=logout]")).to_be_visible()


def test_changing_the_password_keeps_this_browser_logged_in(page, sample_users):
    console_login(page, "office")
    page.click("[data-test=nav-password]")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "Huangse-yujing-42")
    page.fill("input[name=confirm]", "Huangse-yujing-42")
    page.click("[data-test=change-password]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("[data-test=logout]")).to_be_visible()
