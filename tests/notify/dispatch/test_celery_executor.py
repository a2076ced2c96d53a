"""The scale-out executor: a real Celery worker on the Redis broker drains the same outbox."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from notify.dispatch import wakeup
from notify.dispatch.worker import kick
from notify.models.deliveries import Status
from tests.conftest import scene_command, take_to
from tests.notify.dispatch.conftest import wait_until_final
from tests.notify.dispatch.fixtures import RECEIPT_TOKEN

ROOT = Path(__file__).resolve().parents[3]


def test_a_celery_worker_delivers_a_published_revision(
    app, sample_recipients, sample_draft, sample_users, wired
):
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DISPATCH_EXECUTOR": "celery",
        "TWILIO_BASE_URL": wired["twilio"].url,
        "ALIYUN_SMS_ENDPOINT": wired["aliyun"].url,
        "CALLBACK_BASE_URL": wired["base"],
        "ALIYUN_RECEIPT_TOKEN": RECEIPT_TOKEN,
        "RATE_ALIYUN": "0",
        "RATE_TWILIO": "0",
    }
    worker = subprocess.Popen(
        scene_command(
            "celery",
            "-A",
            "notify.dispatch.worker",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "-n",
            f"test-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # As the web app does with DISPATCH_EXECUTOR=celery: a committed publication kicks the workers.
    wakeup.register(kick)
    try:
        take_to(sample_draft, "published", sample_users)
        counts = wait_until_final(316, timeout=60)
    finally:
        wakeup.unregister(kick)
        worker.terminate()
        worker.wait(20)
    assert counts == {Status.DELIVERED: 316}
    assert (
        wired["aliyun"].messages.duplicates() == {}
        and len(wired["aliyun"].messages.all(accepted=True)) == 313
    )
