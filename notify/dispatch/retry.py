"""When a transient failure is tried again: exponential backoff with jitter.

Jitter spreads a thousand rows that failed together over the window, so a gateway coming back
from an outage is not hit by all of them in the same second.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def next_attempt(
    attempts: int, now: datetime, *, base: float, cap: float, rng: random.Random | None = None
) -> datetime:
    """`attempts` is how many tries have been made, the failed one included (1, 2, …)."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    return now + timedelta(seconds=delay)
