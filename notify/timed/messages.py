"""Short messages the timed jobs send: SMS through the outbox, and robot posts.

Several at once go in one INSERT (executemany), not one ORM object each. Robot rows follow the
robot registry's contract (notify/models/robots.py): channel "robot", gateway = the robot's
kind, address robot:<id>, the text in the body; the robot sender delivers them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, select

from notify import clock
from notify.channels import phone
from notify.dispatch import routing, wakeup
from notify.dispatch.outbox import phone_segments
from notify.extensions import db
from notify.models import Delivery, Robot
from notify.models.deliveries import Status
from notify.models.robots import robot_address


def normalise_all(numbers: Iterable[str]) -> list[str]:
    """E.164 numbers, each once, skipping anything SMS cannot reach (a landline, a typo)."""
    seen: dict[str, None] = {}
    for raw in numbers:
        try:
            seen[phone.normalise(raw)] = None
        except phone.InvalidNumber:
            continue
    return list(seen)


def send_sms(messages: Iterable[tuple[str, str]], *, purpose: str, now: datetime | None = None) -> int:
    """Queue one SMS per (E.164 number, text)."""
    now = now or clock.now()
    rows = [
        {
            "purpose": purpose,
            "channel": "sms",
            "address": number,
            "body": body,
            "status": Status.PENDING,
            "gateway": routing.gateway_for(number),
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
            # The timed jobs write Chinese texts, whichever country the number is in.
            "segments": phone_segments(body, number, "zh"),
            "locale": "zh",
            "error_reason": "",
        }
        for number, body in messages
    ]
    if rows:
        db.session.execute(insert(Delivery.__table__), rows)
        wakeup.after_commit(db.session)
    return len(rows)


def escalation_robots(jurisdiction_id: int) -> list[Robot]:
    """ESCALATION_ROBOT_IDS if set, else every active county-level robot (no township)."""
    query = select(Robot).where(Robot.jurisdiction_id == jurisdiction_id, Robot.active.is_(True))
    ids = [
        int(x)
        for x in str(current_app.config.get("ESCALATION_ROBOT_IDS", "")).replace(",", " ").split()
        if x.isdigit()
    ]
    query = query.where(Robot.id.in_(ids)) if ids else query.where(Robot.township_id.is_(None))
    return list(db.session.scalars(query.order_by(Robot.id)))


def post_to_robots(robots: Iterable[Robot], text: str, *, purpose: str, now: datetime | None = None) -> int:
    now = now or clock.now()
    rows = [
        {
            "purpose": purpose,
            "channel": "robot",
            "address": robot_address(r.id),
            "body": text,
            "status": Status.PENDING,
            "gateway": r.kind,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
            "locale": "zh",
            "error_reason": "",
        }
        for r in robots
    ]
    if rows:
        db.session.execute(insert(Delivery.__table__), rows)
        wakeup.after_commit(db.session)
    return len(rows)
