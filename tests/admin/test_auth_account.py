"""The user's own account: changing the password (policy and lock-out as at log-in) and the TOTP
second factor (enrolment, the code at log-in, replay, an administrator's requirement)."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.models import AuditEvent, User
from tests.conftest import PASSWORD, fresh, login

NEW = "Huangse-yujing-42"


def _change(client, current: str, new: str = NEW, confirm: str | None = None):
    return client.post(
        "/admin/account/password",
        data={"current_password": current, "new_password": new, "confirm": confirm or new},
    )


@pytest.mark.parametrize("username", ["office", "deputy", "commander", "publicity", "unit", "admin"])
def test_every_console_user_can_change_their_own_password(client, sample_users, username):
    login(client, username)
    assert client.get("/admin/account/password").status_code == 200
    assert _change(client, PASSWORD).status_code == 302
    client.post("/admin/logout")
    assert login(client, username, PASSWORD).status_code == 401
    assert login(client, username, NEW).status_code == 302
    fresh()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.changed"))


@pytest.mark.parametrize(
    ("new", "confirm"),
    [("short-1", None), ("office-and-more-1", None), ("qwertyuiop", None), (NEW, NEW + "x")],
    ids=["too short", "holds the user name", "common", "confirmation differs"],
)
def test_a_weak_or_mistyped_new_password_is_refused_and_changes_nothing(client, sample_users, new, confirm):
    before = sample_users["office"].password_hash
    login(client, "office")
    response = _change(client, PASSWORD, new, confirm)
    assert response.status_code == 400
    fresh()
    assert db.session.get(User, sample_users["office"].id).password_hash == before


def test_wrong_current_passwords_lock_the_account_as_at_login(client, sample_users):
    login(client, "office")
    for _ in range(5):
        assert _change(client, "not-my-password").status_code == 401
    assert _change(client, PASSWORD).status_code == 429
    client.post("/admin/logout")
    assert login(client, "office").status_code == 429


def _secret_on_page(client) -> str:
    page = client.get("/admin/account/second-factor")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    return re.search(r'data-test="totp-secret"[^>]*>([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now().timestamp() + 30 * steps_ahead)


def _enrol(client) -> str:
    secret = _secret_on_page(client)
    mistyped = client.post("/admin/account/second-factor", data={"action": "enrol", "code": "12345x"})
    assert mistyped.status_code == 400
    response = client.post("/admin/account/second-factor", data={"action": "enrol", "code": _code(secret)})
    assert response.status_code == 302
    return secret


def test_enrolment_then_every_login_asks_for_a_fresh_code(client, sample_users):
    login(client, "deputy")
    secret = _enrol(client)
    page = client.get("/admin/account/second-factor").get_data(as_text=True)
    assert 'data-test="totp-on"' in page and secret not in page  # shown once, never again
    client.post("/admin/logout")

    response = login(client, "deputy")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/login/code")
    assert client.get("/admin/").status_code == 302  # the password alone does not log in
    assert client.post("/admin/login/code", data={"code": "12345x"}).status_code == 401
    code = _code(secret, 1)
    assert client.post("/admin/login/code", data={"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout")
    # The same code, seen over a shoulder, does not work a second time.
    login(client, "deputy")
    assert client.post("/admin/login/code", data={"code": code}).status_code == 401
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_count_toward_the_lock_out(client, sample_users):
    login(client, "admin")
    secret = _enrol(client)
    client.post("/admin/logout")
    login(client, "admin")
    for _ in range(4):  # and one wrong code at enrolment does not count
        assert client.post("/admin/login/code", data={"code": "12345x"}).status_code == 401
    assert client.post("/admin/login/code", data={"code": "x12345"}).status_code == 401
    assert client.post("/admin/login/code", data={"code": _code(secret, 1)}).status_code == 429


def test_the_code_step_is_not_reached_without_the_password(client, sample_users):
    response = client.get("/admin/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/login")
    assert client.post("/admin/login/code", data={"code": "123456"}).status_code == 302


def test_turning_the_second_factor_off_takes_a_code(client, sample_users):
    login(client, "commander")
    secret = _enrol(client)
    wrong = client.post("/admin/account/second-factor", data={"action": "remove", "code": "12345x"})
    assert wrong.status_code == 401
    assert db.session.get(User, sample_users["commander"].id).totp_secret
    assert (
        client.post(
            "/admin/account/second-factor", data={"action": "remove", "code": _code(secret, 1)}
        ).status_code
        == 302
    )
    fresh()
    assert db.session.get(User, sample_users["commander"].id).totp_secret is None


def test_the_second_factor_is_offered_to_approvers_and_administrators_only(client, sample_users):
    login(client, "office")
    assert client.get("/admin/account/second-factor").status_code == 403


def _user_form(user, **overrides) -> dict:
    form = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "member_unit": "0",
        "active": "y",
    }
    form.update(overrides)
    return form


def test_an_administrator_can_require_it_and_remove_a_lost_one(app, client, sample_users):
    deputy = sample_users["deputy"]
    login(client, "admin")
    assert (
        client.post(f"/admin/users/{deputy.id}/edit", data=_user_form(deputy, totp_required="y")).status_code
        == 302
    )
    other = app.test_client()
    login(other, "deputy")
    response = other.get("/admin/approvals")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/admin/account/second-factor"
    )
    secret = _enrol(other)
    assert other.get("/admin/approvals").status_code == 200
    # Required: the user cannot turn it off.
    refused = other.post("/admin/account/second-factor", data={"action": "remove", "code": _code(secret, 1)})
    assert refused.status_code == 403

    # The phone is lost: the administrator removes it, which also ends the deputy's sessions.
    form = _user_form(deputy, totp_required="y", totp_reset="y")
    assert client.post(f"/admin/users/{deputy.id}/edit", data=form).status_code == 302
    assert other.get("/admin/approvals").status_code == 302
    fresh()
    assert db.session.get(User, deputy.id).totp_secret is None


def test_the_key_being_enrolled_stays_on_the_server_not_in_the_cookie(client, sample_users):
    # The session cookie is signed, not encrypted: whoever holds it can read it.
    import base64
    import zlib

    login(client, "deputy")
    secret = _secret_on_page(client)
    cookie = client.get_cookie("session").value
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    readable = zlib.decompress(raw) if cookie.startswith(".") else raw
    assert secret.encode() not in readable
    assert _secret_on_page(client) == secret  # the same key until it is confirmed
    fresh()
    deputy = db.session.scalar(select(User).where(User.username == "deputy"))
    assert deputy.totp_pending_secret == secret and deputy.totp_secret is None
    _enrol(client)
    fresh()
    deputy = db.session.scalar(select(User).where(User.username == "deputy"))
    assert deputy.totp_secret == secret and deputy.totp_pending_secret is None
