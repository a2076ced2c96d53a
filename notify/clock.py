"""The one place the platform asks what time it is, so tests can freeze it.

`simulated(at)` moves this thread's clock (the compressed demo day, `flask demo-day`); other
threads, the dispatcher's among them, keep the real time.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_simulated: ContextVar[datetime | None] = ContextVar("notify_simulated_now", default=None)


def now() -> datetime:
    return _simulated.get() or datetime.now(UTC)


@contextmanager
def simulated(at: datetime):
    if at.tzinfo is None:
        raise ValueError("a simulated time must be timezone-aware")
    token = _simulated.set(at)
    try:
        yield
    finally:
        _simulated.reset(token)
