"""Checking a password in constant time, and the policy a new password must meet."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from notify.models import User

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
MAX_LENGTH = 200


@cache
def _dummy_hash() -> str:
    # Made like every real hash (werkzeug's default method and cost), so that checking a password
    # of a user who does not exist takes as long as checking a real one.
    return generate_password_hash(secrets.token_urlsafe(24))


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def verify(user: User | None, password: str) -> bool:
    """Whether `password` is this user's. An unknown user (None) or one without a password costs a
    full hash check as well, so the time of the answer does not tell which user names exist."""
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matches = check_password_hash(stored, password)
    return matches and user is not None and bool(user.password_hash)


def problems(password: str, username: str) -> list[str]:
    """What is wrong with a new password (empty when it may be used)."""
    found = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        found.append(_l("Use at least %(n)d characters.", n=minimum))
    if len(password) > MAX_LENGTH:
        found.append(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    name = username.strip().lower()
    if name and name in password.lower():
        found.append(_l("The password must not contain the user name."))
    if password.lower() in common_passwords():
        found.append(_l("This password is one of the most common ones; choose another."))
    return [str(p) for p in found]
