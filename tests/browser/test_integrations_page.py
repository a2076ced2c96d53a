"""In a real browser: the administrator adds an integration, copies its token once, the token
works against the API, and revoking it from the page shuts it out."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from notify.extensions import db
from tests.browser.conftest import console_login

pytestmark = pytest.mark.browser


def test_admin_creates_uses_and_revokes_a_token(page, live_server, sample_users):
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

    headers = {"Authorization": f"Bearer {token}"}
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
