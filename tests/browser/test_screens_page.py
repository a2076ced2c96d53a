"""In a real browser at phone size: the screens page shows each screen's status, the offline
alarm and its count in the nav; the administrator registers a screen and its gateway uses the
token shown once."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import expect

from notify import clock
from notify.extensions import db
from sandbox.screen_simulator import ScreenSimulator
from tests.browser.conftest import console_login
from tests.notify.screens.conftest import issue

pytestmark = pytest.mark.browser


def test_screens_page_status_alarm_and_registration(
    page, live_server, sample_users, make_screen, sample_kind, sample_levels
):
    alive, alive_token = make_screen(name="县汽车站候车厅", chars=16, lines=3, colours="full")
    silent, _ = make_screen(name="藏山景区入口", now=clock.now() - timedelta(minutes=10))
    issue(sample_kind, sample_levels["orange"], sample_users)
    alive_id, silent_id = alive.id, silent.id
    db.session.remove()  # the server thread must see committed data only
    gateway = ScreenSimulator(f"{live_server}/screens/{alive_id}/feed.json", alive_token)
    try:
        assert gateway.poll_once() == "new"
        assert gateway.heartbeat() == 200
    finally:
        gateway.stop()

    console_login(page, "admin")
    badge = page.locator("[data-test=screens-offline-count]")
    expect(badge).to_have_text("1")
    page.click("[data-test=nav-screens]")
    alarms = page.locator("[data-test=screen-alarms]")
    expect(alarms).to_contain_text("藏山景区入口")
    expect(alarms).not_to_contain_text("县汽车站候车厅")
    expect(page.locator(f'tr[data-screen="{alive_id}"] [data-status]')).to_have_attribute(
        "data-status", "online"
    )
    expect(page.locator(f'tr[data-screen="{silent_id}"] [data-status]')).to_have_attribute(
        "data-status", "offline"
    )
    expect(page.locator(f'tr[data-screen="{alive_id}"] [data-displayed]')).to_have_attribute(
        "data-displayed", "2"
    )

    page.click(f'tr[data-screen="{alive_id}"] a')
    expect(page.locator("[data-test=preview]")).to_have_attribute("data-state", "warning")
    expect(page.locator("[data-test=preview] .led-page").first).to_contain_text("重污染天气橙色预警")
    expect(page.locator("[data-test=displayed-version]")).to_contain_text("2")

    page.goto("/admin/screens")
    page.click("[data-test=new-screen]")
    page.fill("#name", "县人民医院门诊楼")
    page.fill("#location", "秀水镇 县人民医院")
    page.select_option("#township_id", label="秀水镇")
    page.select_option("#vendor", "onbon")
    page.fill("#chars_per_line", "12")
    page.fill("#lines", "2")
    page.select_option("#colours", "two")
    page.click("[data-test=save-screen]")
    token = page.locator("[data-test=screen-token]").inner_text().strip()
    feed_url = page.locator("[data-test=feed-url]").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", token)
    response = httpx.get(feed_url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    data = response.json()
    assert data["screen"]["name"] == "县人民医院门诊楼" and data["level"]["words"] == "橙色预警"
    assert {p["fallback_colour"] for p in data["pages"]} == {"#FFFF00"}
    # A new screen has not reported yet, but is within its first interval: still one alarm.
    page.goto("/admin/screens")
    expect(page.locator("[data-test=screens-offline-count]")).to_have_text("1")
