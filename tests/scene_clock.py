"""The tests' clock: every test runs at a known instant, whatever today's date is.

freezegun hands the real time to any call that has `threading` or `queue` among its innermost
callers, which would give the dispatcher's, the scheduler's and the stand-ins' threads the wall
clock while the test's own thread is frozen. Both modules took the real monotonic clock for their
waits at import, so they need no such exemption: it is removed here, for the test process and for
the child processes of tests/scene_process.py alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

import freezegun
from freezegun.config import DEFAULT_IGNORE_LIST

# The morning the scenes of the suite were written for: responses start at 12:00 UTC, consultations
# and approvals come before. Tests that need another instant freeze their own on top of it.
SCENE_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

freezegun.configure(default_ignore_list=[m for m in DEFAULT_IGNORE_LIST if m not in ("threading", "queue")])


def scene_freeze(at: datetime):
    """Frozen at `at` and ticking on from there, so waits, leases and rate windows behave as in
    life; asyncio loops (the browser driver's) keep the real monotonic clock they started with."""
    return freezegun.freeze_time(at, tick=True, real_asyncio=True)
