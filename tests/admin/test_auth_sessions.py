"""Console sessions are revocable on the server: a copied cookie dies with log-out, a password
change or deactivation; sessions expire when idle or too old; the CSRF token changes at log-in;
the cookie is Secure, HttpOnly and SameSite behind HTTPS."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from notify import config
from notify.extensions import db
from notify.models import ConsoleSession
from tests.conftest import PASSWORD, fresh, login

COOKIE = "session"


def _logged_in(client) -> bool:
    response = client.get("/admin/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    return False


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _user_form(user, **overrides) -> dict:
    form = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "member_unit": "0",
        "phone": "",
        "password": "",
        "active": "y",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_a_copied_cookie_is_dead_after_logout(client, sample_users):
    login(client, "office")
    stolen = _cookie(client)
    assert _logged_in(client)
    client.post("/admin/logout")
    client.set_cookie(COOKIE, stolen)
    assert not _logged_in(client)
    fresh()
    [row] = db.session.query(ConsoleSession).all()
    assert row.end_reason == "logout" and row.ended_at is not None


def test_a_password_change_ends_every_other_session(app, client, sample_users):
    other_browser = app.test_client()
    login(client, "office")
    login(other_browser, "office")
    stolen = _cookie(other_browser)
    response = client.post(
        "/admin/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Huangse-yujing-42",
            "confirm": "Huangse-yujing-42",
        },
    )
    assert response.status_code == 302
    assert _logged_in(client)  # the browser that changed it goes on, on a new session
    assert not _logged_in(other_browser)
    other_browser.set_cookie(COOKIE, stolen)
    assert not _logged_in(other_browser)


@pytest.mark.parametrize(
    "change", [{"active": None}, {"password": "Chengse-yujing-77"}], ids=["deactivated", "new password"]
)
def test_an_administrators_change_ends_the_users_sessions_at_once(app, client, sample_users, change):
    office = app.test_client()
    login(office, "office")
    assert _logged_in(office)
    login(client, "admin")
    user = sample_users["office"]
    response = client.post(f"/admin/users/{user.id}/edit", data=_user_form(user, **change))
    assert response.status_code == 302
    assert not _logged_in(office)


def test_an_idle_session_expires(app, client, sample_users, monkeypatch, _scene_clock):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 30)
    login(client, "office")
    _scene_clock.tick(timedelta(minutes=25))
    assert _logged_in(client)  # in use: the idle time starts again
    _scene_clock.tick(timedelta(minutes=25))
    assert _logged_in(client)
    _scene_clock.tick(timedelta(minutes=31))
    assert not _logged_in(client)


def test_a_session_ends_at_its_maximum_age_however_busy(app, client, sample_users, monkeypatch, _scene_clock):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 30)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 2)
    login(client, "office")
    for _ in range(5):  # 100 minutes of steady work
        _scene_clock.tick(timedelta(minutes=20))
        assert _logged_in(client)
    _scene_clock.tick(timedelta(minutes=21))
    assert not _logged_in(client)


def _csrf_in_page(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def _session_csrf(client) -> str | None:
    with client.session_transaction() as s:
        return s.get("csrf_token")


def test_the_csrf_token_changes_at_login(app, client, sample_users, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = _csrf_in_page(client.get("/admin/login").get_data(as_text=True))
    stale = _session_csrf(client)
    response = client.post(
        "/admin/login", data={"username": "office", "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    after = _csrf_in_page(client.get("/admin/").get_data(as_text=True))
    assert stale is not None and _session_csrf(client) != stale
    # A token read before the log-in (say, planted by another site) no longer passes.
    assert client.post("/admin/logout", data={"csrf_token": before}).status_code == 400
    assert client.post("/admin/logout", data={"csrf_token": after}).status_code == 302


def test_the_cookie_is_secure_behind_https(app, client, sample_users, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://yj.yuxian.gov.cn")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    settings = config.sign_in_settings()
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax" and settings["SESSION_COOKIE_HTTPONLY"]
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", settings["SESSION_COOKIE_SECURE"])
    cookie = login(client, "office").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    assert config.sign_in_settings()["SESSION_COOKIE_SECURE"] is False
