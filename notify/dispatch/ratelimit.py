"""Per-gateway send rates: messages or SMS parts per second, as each gateway's contract allows.

Inside one process (the thread executor) a token bucket in memory is exact. Celery workers
are separate processes, possibly on several machines, so they share one bucket in Redis.
"""

from __future__ import annotations

import threading
import time


class TokenBucket:
    def __init__(self, rate: float, burst: float | None = None):
        self.rate = rate
        self.capacity = burst if burst is not None else max(rate, 1.0)
        self._tokens = self.capacity
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self, n: float = 1.0) -> None:
        """Block until `n` tokens are free. A request larger than the bucket waits for its share."""
        if self.rate <= 0:
            return
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= min(n, self.capacity):
                    self._tokens -= n  # may go negative: a big batch pays its debt before the next
                    return
                wait = (min(n, self.capacity) - self._tokens) / self.rate
            time.sleep(min(wait, 1.0))


# GCRA in Redis: one key per gateway holding the theoretical arrival time, so any number of
# processes share one rate without a lock.
_GCRA = """
local key, interval, n, burst = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', key) or now)
if tat < now then tat = now end
local new_tat = tat + interval * n
local allow_at = new_tat - burst
if allow_at > now then return allow_at - now end
redis.call('SET', key, new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 0
"""


class RedisTokenBucket:
    def __init__(self, redis_client, name: str, rate: float, burst: float | None = None):
        self.rate = rate
        self._redis = redis_client
        self._key = f"notify:rate:{name}"
        self._interval_us = 1_000_000 / rate if rate > 0 else 0
        self._burst_us = (burst if burst is not None else max(rate, 1.0)) * self._interval_us
        self._script = redis_client.register_script(_GCRA)

    def acquire(self, n: float = 1.0) -> None:
        if self.rate <= 0:
            return
        while True:
            # A batch bigger than the burst is let through once the bucket is empty.
            cost = min(n, self._burst_us / self._interval_us)
            wait_us = int(self._script(keys=[self._key], args=[self._interval_us, cost, self._burst_us]))
            if wait_us <= 0:
                if n > cost:
                    time.sleep((n - cost) * self._interval_us / 1_000_000)
                return
            time.sleep(min(wait_us / 1_000_000, 1.0))
