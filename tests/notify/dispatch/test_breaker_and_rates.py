"""The circuit breaker's states and the token buckets' rates (memory and Redis)."""

from __future__ import annotations

import time

import pytest

from notify.dispatch.breaker import CircuitBreaker
from notify.dispatch.ratelimit import RedisTokenBucket, TokenBucket


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_breaker_opens_after_the_threshold_and_lets_one_trial_through_after_cooldown():
    clock, events = FakeClock(), []
    breaker = CircuitBreaker(
        "aliyun",
        threshold=3,
        cooldown=30,
        clock=clock,
        on_change=lambda name, event, detail: events.append(event),
    )
    for _ in range(2):
        breaker.failure("timeout")
    assert breaker.allow() and events == []
    breaker.failure("timeout")
    assert breaker.state == "open" and not breaker.allow() and events == ["circuit_open"]
    clock.t = 31
    assert breaker.allow()  # the one trial
    assert not breaker.allow()  # no second caller while the trial runs
    breaker.failure("still down")
    assert breaker.state == "open" and events == ["circuit_open", "circuit_open"]
    clock.t = 62
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and events[-1] == "circuit_closed" and breaker.allow()


def test_a_trial_that_found_nothing_to_send_does_not_block_the_next():
    clock = FakeClock()
    breaker = CircuitBreaker("twilio", threshold=1, cooldown=5, clock=clock)
    breaker.failure()
    clock.t = 6
    assert breaker.allow()
    breaker.cancel_trial()
    assert breaker.allow()


def test_success_resets_the_count_of_failures():
    breaker = CircuitBreaker("x", threshold=2, clock=FakeClock())
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state == "closed"


def _measure(bucket, n):
    start = time.monotonic()
    for _ in range(n):
        bucket.acquire(1)
    return time.monotonic() - start


def test_memory_bucket_holds_the_rate():
    # 50/s with a burst of 50: 150 tokens take about 2 s.
    elapsed = _measure(TokenBucket(50), 150)
    assert 1.6 <= elapsed <= 3.5


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    client.delete("notify:rate:test-gw")
    yield client
    client.delete("notify:rate:test-gw")


def test_redis_bucket_is_shared_between_instances(redis_client):
    a = RedisTokenBucket(redis_client, "test-gw", 50)
    b = RedisTokenBucket(redis_client, "test-gw", 50)
    start = time.monotonic()
    for _ in range(75):
        a.acquire(1)
        b.acquire(1)
    elapsed = time.monotonic() - start
    # 150 tokens from one shared 50/s bucket (burst 50): about 2 s, not 1 s.
    assert 1.6 <= elapsed <= 3.5


def test_unlimited_rate_never_waits():
    start = time.monotonic()
    TokenBucket(0).acquire(10_000)
    assert time.monotonic() - start < 0.1
