"""In a real browser: the administrator adds an integration, copies its token once, the token
works against the API once the user it acts as has confirmed it on their own page, and revoking it
from the page shuts it out."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from notify.extensions import db
from tests.browser.conftest import console_login

pytestmark = pytest.mark.browser


def test_admin_creates_uses_and_revokes_a_token(page, browser, live_server, sample_users):
    db.session.remove()
    console_login(page, "admin")
    page.click("[data-test=nav-integrations]")
    expect(page.locator("[data-empty]")).to_be_visible()
    page.click("[data-test=new-integration]")
    page.fill("input[name=name]", "县值班系统")
    page.check("input[name=scopes][value=draft]")
    page.select_option("select[name=acting_user]", label="office · office 测试 (指挥部办公室工作人员)")
    page.click("form.stacked button[type=submit]")
    token = page.locator("[data-test=new-token]").inner_text().strip()
    assert token.startswith("cwp_")

    expect(page.locator("[data-test=awaiting-consent]")).to_be_visible()

    headers = {"Authorization": f"Bearer {token}"}
    waiting = requests.get(f"{live_server}/api/v1/me", headers=headers, timeout=10)
    assert waiting.status_code == 403 and waiting.json()["error"]["code"] == "awaiting_consent"

    office = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server).new_page()
    console_login(office, "office")
    expect(office.locator("[data-test=consents-awaiting]")).to_have_text("1")
    office.click("[data-test=nav-acting-as-me]")
    mine = office.locator("[data-integration='县值班系统']")
    expect(mine.locator("[data-test=scopes]")).to_have_text("read draft")
    expect(mine.locator("[data-test=created-by]")).to_contain_text("admin")
    mine.locator("[data-test=confirm]").click()
    expect(office.locator("[data-integration='县值班系统'] [data-test=withdraw-consent]")).to_be_visible()
    office.context.close()

    me = requests.get(f"{live_server}/api/v1/me", headers=headers, timeout=10)
    assert me.status_code == 200 and me.json()["scopes"] == ["read", "draft"]

    page.goto("/admin/integrations")
    card = page.locator("[data-integration='县值班系统']")
    expect(card.locator("[data-test=scopes]")).to_have_text("read draft")
    expect(card).not_to_contain_text(token)
    card.locator("[data-test=revoke]").click()
    expect(page.locator(f"[data-token='{token[:10]}'] [data-test=token-state]")).not_to_have_text("valid")
    assert requests.get(f"{live_server}/api/v1/me", headers=headers, timeout=10).status_code == 401

    page.goto("/api/v1/docs")
    expect(page.locator("[data-operation=createWarning]")).to_be_visible()
