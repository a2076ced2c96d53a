"""In a real browser at phone size: the administrator registers a DingTalk robot into the
township group, sees it listed with its token and secret masked, and deactivates it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from notify.extensions import db
from notify.models import Recipient, Robot
from tests.browser.conftest import console_login

pytestmark = pytest.mark.browser
TOKEN = "0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e"
SECRET = "SEC4a7d1ed7f0c9e6bbf3a1e5c2d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0"


def test_admin_registers_and_deactivates_a_robot(page, sample_users):
    db.session.remove()
    console_login(page, "admin")
    page.click("[data-test=nav-robots]")
    page.click("[data-test=add-robot]")
    page.select_option("select[name=kind]", "dingtalk")
    page.fill("input[name=name]", "秀水镇应急工作群")
    page.fill("input[name=webhook_url]", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}")
    page.fill("input[name=secret]", SECRET)
    page.select_option("select[name=township]", label="秀水镇")
    page.get_by_label("乡镇（街道）值班人员").check()
    page.click("[data-test=save-robot]")
    row = page.locator("table[data-test=robots] tbody tr").first
    expect(row).to_contain_text("秀水镇应急工作群")
    expect(row).to_have_attribute("data-active", "true")
    html = page.content()
    assert TOKEN not in html and SECRET not in html
    assert "乡镇（街道）值班人员" in row.inner_text()
    row.locator("button[data-test^=toggle-robot]").click()
    expect(page.locator("table[data-test=robots] tbody tr").first).to_have_attribute("data-active", "false")
    db.session.rollback()
    robot = db.session.scalar(select(Robot))
    assert robot.secret == SECRET and robot.active is False
    assert db.session.scalars(select(Recipient.active).where(Recipient.channel == "robot")).all() == [False]
