"""Server-side console sessions. The signed cookie holds a random token; the database holds its
hash and says whether the session is still live, so ending it on the server ends it everywhere.

A session is live until it is ended (log-out, password change, deactivation) or has been idle for
SESSION_IDLE_MINUTES or open for SESSION_MAX_HOURS.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from notify import clock
from notify.extensions import db
from notify.models import ConsoleSession, User
from notify.row_counts import rows_written

# The key of the token in the Flask session (the signed cookie).
SESSION_KEY = "console_session"
# last_seen_at is written at most this often, so that reading pages does not write on every request.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _find(token: str | None) -> ConsoleSession | None:
    if not token:
        return None
    return db.session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))


def is_live(row: ConsoleSession, now: datetime) -> bool:
    config = current_app.config
    return (
        row.ended_at is None
        and now - row.started_at < timedelta(hours=config["SESSION_MAX_HOURS"])
        and now - row.last_seen_at < timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    )


def start(user: User, ip: str, user_agent: str) -> str:
    """A new session for this user; the token to put in the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        ConsoleSession(
            user_id=user.id,
            token_hash=_hash(token),
            started_at=now,
            last_seen_at=now,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    return token


def signed_in_user(user_id: str, token: str | None) -> User | None:
    """The user of a live session whose cookie names this user, else None (logged out)."""
    row = _find(token)
    if row is None or str(row.user_id) != user_id or not is_live(row, clock.now()):
        return None
    return row.user if row.user.active else None


def keep_alive(token: str | None) -> bool:
    """Note that the session was used now; True when that changed something to commit."""
    row = _find(token)
    now = clock.now()
    if row is None or row.ended_at is not None or now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    return True


def end(token: str | None, reason: str) -> None:
    row = _find(token)
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = clock.now(), reason


def end_all(user: User, reason: str) -> int:
    """End every live session of this user, on every browser; how many were ended."""
    result = db.session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.user_id == user.id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return rows_written(result)
