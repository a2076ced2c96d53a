"""Helpers of the dispatch tests. The platform wired to the SMS stand-ins (`wired`,
`run_executor`) is in fixtures.py."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from notify.extensions import db
from notify.models import Delivery
from notify.models.deliveries import Status


def wait_until_final(expected: int, timeout: float = 30.0) -> dict[str, int]:
    """Poll until `expected` deliveries are in a final state; returns counts per status."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        counts = dict(
            db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
        if sum(counts.get(s, 0) for s in Status.FINAL) >= expected or time.monotonic() > deadline:
            return counts
        time.sleep(0.1)
