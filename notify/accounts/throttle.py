"""The lock-out after refused log-ins: per account name and per client address, in a sliding window.

Failures are rows in the database, so every worker process counts the same ones. While locked,
attempts are refused without checking the password and are not counted again, so a lock ends at a
known time: when the oldest failure that makes it leaves the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from notify.extensions import db
from notify.models import LoginFailure


def account_key(username: str) -> str:
    return username.strip().lower()[:100]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def _lock_ends(column, value: str, limit: int, now: datetime) -> datetime | None:
    if limit <= 0:
        return None
    # The limit-th most recent failure in the window: when it leaves, fewer than `limit` remain.
    nth = db.session.scalar(
        select(LoginFailure.failed_at)
        .where(column == value, LoginFailure.failed_at > now - _window())
        .order_by(LoginFailure.failed_at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    return nth + _window() if nth is not None else None


def locked_until(username: str, ip: str, now: datetime) -> datetime | None:
    """When the lock on this account name or this address ends; None when neither is locked."""
    config = current_app.config
    ends = [
        _lock_ends(
            LoginFailure.username, account_key(username), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], now
        ),
        _lock_ends(LoginFailure.ip, ip, config["LOGIN_MAX_FAILURES_PER_IP"], now),
    ]
    return max((e for e in ends if e is not None), default=None)


def record_failure(username: str, ip: str, now: datetime) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - _window()))
    db.session.add(LoginFailure(username=account_key(username), ip=ip, failed_at=now))


def forget_account(username: str) -> None:
    """After a successful log-in the account's count starts again; the address's does not."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == account_key(username)))
