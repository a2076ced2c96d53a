"""The screens console: registering a screen (token shown once, stored hashed), changing its
profile (the feed version rises), replacing the token, bad input, roles, the offline list and
badge, and an audit event for every change."""

from __future__ import annotations

import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from notify.extensions import db
from notify.models import AuditEvent, Township
from notify.models.screens import Screen
from notify.screens import status, tokens
from tests.conftest import fresh, login
from tests.notify.screens.conftest import XIUSHUI, auth, issue


def _form(township_id: int, **overrides) -> dict:
    data = {
        "name": "县汽车站候车厅",
        "location": "秀水镇汽车站",
        "township_id": str(township_id),
        "vendor": "onbon",
        "chars_per_line": "16",
        "lines": "2",
        "colours": "two",
        "heartbeat_interval_s": "60",
        "active": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _township(code=XIUSHUI) -> Township:
    return db.session.scalar(select(Township).where(Township.code == code))


def _events(action):
    fresh()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_register_a_screen_shows_its_token_once_and_the_gateway_can_use_it(client, sample_users):
    login(client, "admin")
    response = client.post("/admin/screens/new", data=_form(_township().id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = re.search(r'data-test="screen-token">([^<]+)<', page).group(1).strip()
    fresh()
    screen = db.session.scalar(select(Screen))
    assert (screen.name, screen.chars_per_line, screen.lines, screen.colours, screen.vendor) == (
        "县汽车站候车厅",
        16,
        2,
        "two",
        "onbon",
    )
    assert screen.token_hash == tokens.digest(token) and token not in screen.token_hash
    assert f"/screens/{screen.id}/feed.json" in page
    assert client.get(f"/screens/{screen.id}/feed.json", headers=auth(token)).status_code == 200
    # The token never appears again.
    assert token not in client.get(f"/admin/screens/{screen.id}").get_data(as_text=True)
    assert token not in client.get("/admin/screens").get_data(as_text=True)
    [event] = _events("screen.created")
    assert event.subject_id == screen.id and token not in str(event.detail)


def test_bad_input_is_a_400_with_messages_and_nothing_is_stored(client, sample_users):
    login(client, "admin")
    township = _township()
    for overrides in (
        {"name": ""},
        {"chars_per_line": "0"},
        {"chars_per_line": "abc"},
        {"lines": "99"},
        {"vendor": "acme"},
        {"colours": "rainbow"},
        {"township_id": "99999"},
        {"heartbeat_interval_s": "1"},
    ):
        response = client.post("/admin/screens/new", data={**_form(township.id), **overrides})
        assert response.status_code == 400, overrides
        assert 'class="field-error"' in response.get_data(as_text=True), overrides
    fresh()
    assert db.session.scalar(select(Screen)) is None
    assert _events("screen.created") == []


def test_changing_the_profile_raises_the_feed_version_and_is_audited(client, sample_users, make_screen):
    screen, token = make_screen(chars=16, lines=2)
    login(client, "admin")
    response = client.post(
        f"/admin/screens/{screen.id}",
        data=_form(screen.township_id, name=screen.name, chars_per_line="12", lines="3"),
    )
    assert response.status_code == 302
    fresh()
    changed = db.session.get(Screen, screen.id)
    assert (changed.chars_per_line, changed.lines, changed.feed_version) == (12, 3, 2)
    data = client.get(f"/screens/{screen.id}/feed.json", headers=auth(token)).get_json()
    assert data["version"] == 2 and data["screen"]["profile"]["chars_per_line"] == 12
    [event] = _events("screen.changed")
    assert event.detail["changed"]["chars_per_line"] == ["16", "12"]
    # A new interval alone changes nothing on the screen.
    client.post(
        f"/admin/screens/{screen.id}",
        data=_form(
            screen.township_id, name=screen.name, chars_per_line="12", lines="3", heartbeat_interval_s="120"
        ),
    )
    fresh()
    assert db.session.get(Screen, screen.id).feed_version == 2
    response = client.post(f"/admin/screens/{screen.id}", data={**_form(screen.township_id), "lines": "0"})
    assert response.status_code == 400


def test_replacing_the_token_locks_out_the_old_one(client, sample_users, make_screen):
    screen, old = make_screen()
    login(client, "admin")
    response = client.post(f"/admin/screens/{screen.id}/token")
    assert response.status_code == 200
    new = re.search(r'data-test="screen-token">([^<]+)<', response.get_data(as_text=True)).group(1).strip()
    assert new != old
    assert client.get(f"/screens/{screen.id}/feed.json", headers=auth(old)).status_code == 403
    assert client.get(f"/screens/{screen.id}/feed.json", headers=auth(new)).status_code == 200
    assert len(_events("screen.token_replaced")) == 1


def test_roles(client, sample_users, make_screen):
    screen, _ = make_screen()
    for user, list_status, edit_status in (
        ("office", 200, 403),
        ("publicity", 200, 403),
        ("deputy", 403, 403),
        ("unit", 403, 403),
        ("admin", 200, 200),
    ):
        client.post("/admin/logout")
        login(client, user)
        assert client.get("/admin/screens").status_code == list_status, user
        assert client.get(f"/admin/screens/{screen.id}").status_code == list_status, user
        assert client.get("/admin/screens/new").status_code == edit_status, user
    client.post("/admin/logout")
    login(client, "office")
    assert client.post(f"/admin/screens/{screen.id}/token").status_code == 403
    assert client.get("/admin/screens/4242").status_code == 404


def test_offline_screens_are_listed_counted_in_the_nav_and_recorded(
    client, sample_users, make_screen, sample_kind, sample_levels
):
    with freeze_time("2026-11-23T02:00:00Z") as frozen:
        quiet, _ = make_screen(name="县人民医院门诊楼", interval=60)
        alive, alive_token = make_screen(name="县城广场", interval=60)
        issue(sample_kind, sample_levels["orange"], sample_users)
        login(client, "office")
        page = client.get("/admin/screens").get_data(as_text=True)
        assert 'data-test="no-alarms"' in page and "screens-offline-count" not in page
        frozen.tick(timedelta(seconds=50))
        client.post(f"/screens/{alive.id}/heartbeat", headers=auth(alive_token))
        frozen.tick(timedelta(seconds=60) + status.grace() - timedelta(seconds=30))
        page = client.get("/admin/screens").get_data(as_text=True)
        alarms = page.split('data-test="screen-alarms"')[1].split("</section>")[0]
        assert "县人民医院门诊楼" in alarms and "县城广场" not in alarms
        assert re.search(r'data-test="screens-offline-count"[^>]*>1<', page)
        assert re.search(rf'data-screen="{quiet.id}">.*?data-status="offline"', page, re.S)
        # The badge is on every console page.
        assert 'data-test="screens-offline-count"' in client.get("/admin/").get_data(as_text=True)
        [event] = _events("screen.offline")
        assert event.detail["screens"][0]["id"] == quiet.id
        detail = client.get(f"/admin/screens/{quiet.id}").get_data(as_text=True)
        assert 'data-status="offline"' in detail and 'data-test="alarm-history"' in detail
        assert 'data-state="warning"' in detail and "橙色预警" in detail
