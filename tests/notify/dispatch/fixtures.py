"""The platform wired to the SMS stand-ins, for the dispatch tests and the schools' simulation
(registered in tests/conftest.py).

- `wired`: app config pointing both gateways at the stand-ins, retries fast, receipts to a live
  server of the app.
- `run_executor(threads=2, **config)`: starts a thread executor on the wired app.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from notify.channels.base import Result
from notify.dispatch import results
from notify.dispatch.executor import ThreadExecutor
from notify.dispatch.setup import build_dispatcher

RECEIPT_TOKEN = "test-receipt-token-0123456789"
ROOT = Path(__file__).resolve().parents[3]


def write_accepted(delivery_id: int, provider_id: str, now, *, gateway: str = "twilio") -> None:
    """What worker "w" writes when the gateway accepted the message it claimed: handed over
    under `provider_id` (not committed)."""
    results.apply(
        [Result(delivery_id, "accepted", provider_id=provider_id)],
        attempts={},
        sender=gateway,
        worker="w",
        now=now,
        policy=results.RetryPolicy(),
    )


def dispatch_worker_process(env: dict[str, str]) -> subprocess.Popen:
    """`flask dispatch-worker` in a child process on the test's clock, configured by `env`, for
    the tests that kill it."""
    from tests.conftest import scene_command  # tests.conftest registers this module as a plugin

    return subprocess.Popen(
        scene_command("flask", "dispatch-worker"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def wired(app, monkeypatch, live_server, twilio_standin, aliyun_standin):
    """App config pointing both gateways at the stand-ins, retries fast, receipts to us."""
    settings = {
        "TWILIO_BASE_URL": twilio_standin.url,
        "TWILIO_ACCOUNT_SID": twilio_standin.account_sid,
        "TWILIO_AUTH_TOKEN": twilio_standin.auth_token,
        "ALIYUN_SMS_ENDPOINT": aliyun_standin.url,
        "ALIYUN_RECEIPT_TOKEN": RECEIPT_TOKEN,
        "CALLBACK_BASE_URL": live_server,
        "GATEWAY_TIMEOUT_SECONDS": 1.0,
        "DISPATCH_RETRY_BASE_SECONDS": 0.05,
        "DISPATCH_RETRY_CAP_SECONDS": 0.4,
        "DISPATCH_MAX_ATTEMPTS": 8,
        "RATE_TWILIO": 0,
        "RATE_ALIYUN": 0,
        "BREAKER_THRESHOLD": 50,
        "BREAKER_COOLDOWN_SECONDS": 0.5,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    # Receipts wait for a busy app and are pushed again later, as the real service does (its
    # schedule is 1, 5, 10 minutes; seconds here), instead of being given up within a second.
    aliyun_standin.faults.update(
        receipt_url=f"{live_server}/callbacks/aliyun/receipts/{RECEIPT_TOKEN}",
        report_timeout_s=15.0,
        repush_delays_s=[1.0, 3.0, 8.0],
    )
    return {"twilio": twilio_standin, "aliyun": aliyun_standin, "base": live_server}


@pytest.fixture
def run_executor(app, wired):
    """Start a thread executor on the wired app; stopped after the test."""
    started = []

    def start(threads: int = 2, **config):
        for key, value in config.items():
            app.config[key] = value
        executor = ThreadExecutor(app, build_dispatcher(app), threads=threads, poll=0.05).start()
        started.append(executor)
        return executor

    yield start
    for executor in started:
        executor.stop()
