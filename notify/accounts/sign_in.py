"""The console's sign-in use cases. Each one checks the lock-out first, then the secret (password
or code), then records what happened: the failure that counts toward the lock-out, the audit event,
the session started or ended."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from notify import audit, clock
from notify.accounts import console_sessions, passwords, second_factor, throttle
from notify.extensions import db
from notify.models import User


@dataclass(frozen=True)
class Client:
    ip: str
    user_agent: str


@dataclass(frozen=True)
class Refusal:
    message: str
    status: int  # 400 bad new password or code, 401 wrong password, 429 locked out
    field: str = ""  # the form field it concerns, if any


def user_named(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip()))


def _locked(username: str, client: Client, now: datetime) -> Refusal | None:
    until = throttle.locked_until(username, client.ip, now)
    if until is None:
        return None
    audit.record("login.locked", actor_name=username.strip()[:100], summary="refused while locked out")
    db.session.commit()
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return Refusal(_("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes), 429)


def _failed(username: str, client: Client, now: datetime, summary: str) -> None:
    throttle.record_failure(username, client.ip, now)
    audit.record("login.failed", actor_name=username.strip()[:100], summary=summary)
    db.session.commit()


def check_password(username: str, password: str, client: Client) -> User | Refusal:
    """The user whose password this is, if they may log in; else why not."""
    now = clock.now()
    refusal = _locked(username, client, now)
    if refusal is not None:
        return refusal
    user = user_named(username)
    if passwords.verify(user, password) and user is not None and user.active:
        return user
    _failed(username, client, now, "wrong user name or password, or inactive user")
    return Refusal(_("Wrong user name or password."), 401)


def start_session(user: User, client: Client) -> str:
    """Log the user in: a new server-side session (its token goes in the cookie)."""
    throttle.forget_account(user.username)
    token = console_sessions.start(user, client.ip, client.user_agent)
    audit.record("login", actor=user, subject=user)
    db.session.commit()
    return token


def check_code(user: User, code: str, client: Client) -> Refusal | None:
    """The second step of a log-in with a second factor: None when the code is good."""
    now = clock.now()
    refusal = _locked(user.username, client, now)
    if refusal is not None:
        return refusal
    # A good code's step is kept with the session started next (or the removal), in one commit.
    if user.active and second_factor.verify(user, code, now):
        return None
    _failed(user.username, client, now, "wrong second-factor code")
    return Refusal(_("Wrong code."), 401, "code")


def log_out(user: User, token: str | None) -> None:
    console_sessions.end(token, "logout")
    audit.record("logout", actor=user, subject=user)
    db.session.commit()


def change_password(user: User, current: str, new: str, client: Client) -> str | Refusal:
    """A user's own password change: the lock-out and the current password as at log-in, then the
    policy. Every other session of the user ends; the token of this browser's new one is returned."""
    now = clock.now()
    refusal = _locked(user.username, client, now)
    if refusal is not None:
        return refusal
    if not passwords.verify(user, current):
        _failed(user.username, client, now, "wrong current password at a password change")
        return Refusal(_("The current password is wrong."), 401, "current_password")
    problems = passwords.problems(new, user.username)
    if problems:
        return Refusal(" ".join(problems), 400, "new_password")
    user.set_password(new)
    ended = console_sessions.end_all(user, "password_changed")
    token = console_sessions.start(user, client.ip, client.user_agent)
    audit.record("password.changed", actor=user, subject=user, detail={"sessions_ended": ended})
    db.session.commit()
    return token


def offer_second_factor(user: User) -> str:
    """The key to show on the enrolment page (the same one until it is confirmed)."""
    secret = second_factor.pending_secret(user)
    db.session.commit()
    return secret


def enrol_second_factor(user: User, code: str) -> Refusal | None:
    if not second_factor.enrol(user, code, clock.now()):
        return Refusal(
            _("That code does not match; check the time on your phone and try again."), 400, "code"
        )
    audit.record("second_factor.enrolled", actor=user, subject=user)
    db.session.commit()
    return None


def remove_second_factor(user: User, code: str, client: Client) -> Refusal | None:
    """Turning the second factor off takes a good code, and is refused while it is required."""
    if user.totp_required:
        return Refusal(_("An administrator requires a second factor for your account."), 403)
    refusal = check_code(user, code, client)
    if refusal is not None:
        return refusal
    second_factor.remove(user)
    audit.record("second_factor.removed", actor=user, subject=user)
    db.session.commit()
    return None


def end_sessions_after_admin_change(user: User, changed: dict) -> int:
    """An administrator's change that must log the user out everywhere at once: a new password,
    deactivation, or their second factor removed. In the administrator's transaction."""
    deactivated = "active" in changed and not user.active
    if "password" in changed or "second_factor" in changed or deactivated:
        return console_sessions.end_all(user, "changed_by_admin")
    return 0
