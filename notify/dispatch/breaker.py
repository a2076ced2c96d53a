"""A circuit breaker per gateway: after repeated transport errors, stop calling it for a while.

Closed: calls go through. After `threshold` consecutive transport failures it opens: callers
fail over (where the route allows) instead of waiting on timeouts. After `cooldown` one trial
batch is let through (half-open); its success closes the circuit, its failure opens it again.
Each process keeps its own breaker; every opening and closing is recorded as a GatewayEvent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        threshold: int = 5,
        cooldown: float = 30.0,
        on_change: Callable[[str, str, str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name
        self.threshold = threshold
        self.cooldown = cooldown
        self._on_change = on_change or (lambda *_: None)
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a batch go to this gateway now? In half-open state only one trial at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def cancel_trial(self) -> None:
        """The trial call was not made (there was nothing to send): let the next one try."""
        with self._lock:
            self._trial_running = False

    def success(self) -> None:
        with self._lock:
            was_open = self._opened_at is not None
            self._failures = 0
            self._opened_at = None
            self._trial_running = False
        if was_open:
            self._on_change(self.name, "circuit_closed", "a call succeeded again")

    def failure(self, detail: str = "") -> None:
        with self._lock:
            self._failures += 1
            self._trial_running = False
            reopen = self._opened_at is not None
            if self._failures < self.threshold and not reopen:
                return
            self._opened_at = self._clock()
        self._on_change(
            self.name, "circuit_open", f"{self._failures} transport errors in a row; last: {detail}"[:500]
        )
