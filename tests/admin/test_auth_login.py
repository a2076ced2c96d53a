"""Log-in: the lock-out per account and per address, answers that do not tell which user names
exist, and the password policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from notify.accounts import passwords
from notify.extensions import db
from notify.models import AuditEvent
from tests.conftest import PASSWORD, fresh

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.20"}


def _login(client, username: str, password: str, env: dict | None = None):
    return client.post(
        "/admin/login", data={"username": username, "password": password}, environ_base=env or ATTACKER
    )


def test_wrong_passwords_lock_the_account_then_it_opens_again(client, sample_users, _scene_clock):
    for _ in range(5):
        assert _login(client, "office", "guess").status_code == 401
    locked = _login(client, "office", PASSWORD)
    assert locked.status_code == 429
    assert "15" in locked.get_data(as_text=True)  # "try again in 15 minutes", in the page's language
    assert client.get("/admin/").status_code == 302  # not logged in
    # The lock is on the account, whatever address the right password comes from.
    assert _login(client, "office", PASSWORD, ELSEWHERE).status_code == 429
    assert _login(client, "office2", PASSWORD, ELSEWHERE).status_code == 302
    _scene_clock.tick(timedelta(minutes=16))
    assert _login(client, "office", PASSWORD, ELSEWHERE).status_code == 302
    fresh()
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "login.locked")).all()


def test_a_hundred_guesses_do_not_get_through(client, sample_users):
    statuses = {_login(client, "deputy", f"guess-{n}").status_code for n in range(100)}
    assert statuses == {401, 429}
    assert _login(client, "deputy", PASSWORD).status_code == 429


def test_a_successful_login_starts_the_accounts_count_again(client, sample_users):
    for _ in range(4):
        _login(client, "office", "guess", ELSEWHERE)
    assert _login(client, "office", PASSWORD, ELSEWHERE).status_code == 302
    client.post("/admin/logout")
    for _ in range(4):
        assert _login(client, "office", "guess", ELSEWHERE).status_code == 401
    assert _login(client, "office", PASSWORD, ELSEWHERE).status_code == 302


def test_many_accounts_tried_from_one_address_lock_the_address(client, sample_users):
    for n in range(20):
        assert _login(client, f"nobody{n}", "guess").status_code == 401
    assert _login(client, "commander", PASSWORD).status_code == 429
    assert _login(client, "commander", PASSWORD, ELSEWHERE).status_code == 302


def test_unknown_and_inactive_users_cost_a_full_password_check(client, sample_users, monkeypatch):
    checked = []
    real_check = passwords.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored)
        return real_check(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    sample_users["publicity"].active = False
    db.session.commit()
    production_method = generate_password_hash("x").split("$")[0]  # e.g. scrypt:32768:8:1
    for username in ("no-such-user", "publicity"):
        checked.clear()
        response = _login(client, username, PASSWORD)
        assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
        assert len(checked) == 1
    assert checked[0].split("$")[0] == sample_users["publicity"].password_hash.split("$")[0]
    checked.clear()
    _login(client, "no-such-user", PASSWORD)
    assert checked[0].split("$")[0] == production_method


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short-1", "at least 10"),
        ("office-Yellow-2026", "user name"),
        ("OFFICEWARNING", "user name"),
        ("qwertyuiop", "most common"),
        ("Password123", "most common"),
        ("1qaz2wsx3edc", "most common"),
    ],
)
def test_the_password_policy_refuses(app, password, problem):
    with app.test_request_context(headers={"Accept-Language": "en"}, query_string={"lang": "en"}):
        found = passwords.problems(password, "office")
    assert found and problem in " ".join(found).lower()


def test_the_password_policy_accepts_a_long_uncommon_password(app):
    assert passwords.problems("Huangse-yujing-42", "office") == []
    assert len(passwords.common_passwords()) > 3000


def test_an_administrator_cannot_give_a_user_a_weak_password(client, sample_users):
    from tests.conftest import login

    login(client, "admin")
    user = sample_users["unit"]
    form = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "member_unit": "0",
        "password": "password123",
        "active": "y",
    }
    response = client.post(f"/admin/users/{user.id}/edit", data=form)
    assert response.status_code == 400
    fresh()
    assert db.session.get(type(user), user.id).password_hash == user.password_hash
