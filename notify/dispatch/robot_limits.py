"""Per-robot send budgets: WeCom and DingTalk 20 a minute, Feishu 5 a second and 100 a minute.

The platforms count per robot in a moving window and punish the excess (DingTalk blocks the
robot for 10 minutes), so the limit is kept by queueing: a message to a robot whose window is
full is not sent but put back with its next attempt at the moment a slot frees
(notify.dispatch.results, outcome "deferred"). A token bucket would let a full burst through
again after a pause and can put 39 messages into one minute; a log of send times per window
cannot. The window is stretched a little (`margin`) because the platform times a message when it
arrives, not when we decided to send it.

Inside one process the log is kept in memory; several workers (Celery, several machines) share
it in Redis, one sorted set per robot and window, checked and written in one Lua script.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable

# (messages, seconds) windows per robot kind, as the platforms document them.
LIMITS: dict[str, tuple[tuple[int, float], ...]] = {
    "wecom": ((20, 60.0),),
    "dingtalk": ((20, 60.0),),
    "feishu": ((5, 1.0), (100, 60.0)),
}


def stretched(window: float, margin: float) -> float:
    return window * 1.05 + margin


class MemoryRobotBudget:
    def __init__(
        self,
        windows: tuple[tuple[int, float], ...],
        *,
        margin: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.windows = tuple((n, stretched(w, margin)) for n, w in windows)
        self._clock = clock
        self._lock = threading.Lock()
        self._sent: dict[str, list[deque[float]]] = {}
        self._blocked: dict[str, float] = {}

    def admit(self, address: str) -> float:
        with self._lock:
            now = self._clock()
            blocked = self._blocked.get(address, 0.0)
            if blocked > now:
                return blocked - now
            logs = self._sent.setdefault(address, [deque() for _ in self.windows])
            wait = 0.0
            for (limit, window), log in zip(self.windows, logs, strict=True):
                while log and log[0] <= now - window:
                    log.popleft()
                if len(log) >= limit:
                    wait = max(wait, log[len(log) - limit] + window - now)
            if wait > 0:
                return wait
            for log in logs:
                log.append(now)
            return 0.0

    def block(self, address: str, seconds: float) -> None:
        with self._lock:
            until = self._clock() + seconds
            self._blocked[address] = max(self._blocked.get(address, 0.0), until)


_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[1]) or '0')
if blocked > now then return blocked - now end
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[2 * i - 2])
  local window = tonumber(ARGV[2 * i - 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local n = redis.call('ZCARD', KEYS[i])
  if n >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], n - limit, n - limit, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[2 * i - 1])) + 1000)
end
return 0
"""

_BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untl = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > current then redis.call('SET', KEYS[1], untl, 'PX', tonumber(ARGV[1]) + 1000) end
return 0
"""


class RedisRobotBudget:
    """The same budget shared by every worker; Redis's own clock, so workers' clocks may differ."""

    def __init__(
        self,
        redis_client,
        kind: str,
        windows: tuple[tuple[int, float], ...],
        *,
        margin: float = 0.5,
        prefix: str = "notify:robot:",
    ):
        self.windows = tuple((n, stretched(w, margin)) for n, w in windows)
        self._prefix = f"{prefix}{kind}:"
        self._admit = redis_client.register_script(_ADMIT)
        self._block = redis_client.register_script(_BLOCK)

    def _keys(self, address: str) -> list[str]:
        base = self._prefix + address
        return [base + ":blocked"] + [f"{base}:{window:g}" for _, window in self.windows]

    def admit(self, address: str) -> float:
        args: list = [uuid.uuid4().hex]
        for limit, window in self.windows:
            args += [limit, int(window * 1000)]
        wait_ms = int(self._admit(keys=self._keys(address), args=args))
        return wait_ms / 1000 if wait_ms > 0 else 0.0

    def block(self, address: str, seconds: float) -> None:
        self._block(keys=self._keys(address)[:1], args=[int(seconds * 1000)])


def build(
    storage: str,
    *,
    margin: float,
    prefix: str = "notify:robot:",
    limits: dict[str, tuple[tuple[int, float], ...]] | None = None,
) -> dict:
    """One budget per robot kind, in memory or in Redis (`storage` as RATE_LIMIT_STORAGE)."""
    limits = limits or LIMITS
    if storage.startswith("redis://"):
        import redis

        client = redis.Redis.from_url(storage)
        return {
            kind: RedisRobotBudget(client, kind, windows, margin=margin, prefix=prefix)
            for kind, windows in limits.items()
        }
    return {kind: MemoryRobotBudget(windows, margin=margin) for kind, windows in limits.items()}
