"""Whether screens are alive, and the offline alarms.

No job per screen: each heartbeat moves the screen's heartbeat_due_at (now + its interval + the
grace), so "offline" is one indexed comparison, heartbeat_due_at < now, for every screen at
once; the console's list and badge are that query. The alarm record and its audit event are
written by sweep(), one UPDATE … RETURNING over all screens, which the console pages and the
gateway endpoints run (at most every SWEEP_EVERY per process); an alarm's start is the moment
the screen became overdue, not the moment a sweep noticed it. A screen heard again closes its
alarm (reports.py); one that came back before any sweep noticed still gets its alarm, closed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, cast, func, insert, literal, select, update

from notify import audit
from notify.extensions import db
from notify.models import Delivery
from notify.models.deliveries import Status
from notify.models.screens import LED_CHANNEL, Screen, ScreenAlarm

DEFAULT_GRACE_SECONDS = 30
SWEEP_EVERY = timedelta(seconds=15)
_last_sweep: dict[str, datetime] = {}
_sweep_lock = threading.Lock()


def grace() -> timedelta:
    return timedelta(
        seconds=int(current_app.config.get("SCREEN_HEARTBEAT_GRACE_SECONDS", DEFAULT_GRACE_SECONDS))
    )


def due_after(screen: Screen, moment: datetime) -> datetime:
    return moment + timedelta(seconds=screen.heartbeat_interval_s) + grace()


def offline_condition(now: datetime):
    return [Screen.active.is_(True), Screen.heartbeat_due_at < now]


def offline_count(jurisdiction_id: int, now: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Screen)
            .where(Screen.jurisdiction_id == jurisdiction_id, *offline_condition(now))
        )
        or 0
    )


def is_offline(screen: Screen, now: datetime) -> bool:
    return screen.active and screen.heartbeat_due_at < now


def sweep(now: datetime) -> list[int]:
    """Record an alarm for every screen that became overdue since the last sweep."""
    table = Screen.__table__
    rows = db.session.execute(
        update(table)
        .where(table.c.active.is_(True), table.c.offline_since.is_(None), table.c.heartbeat_due_at < now)
        .values(offline_since=table.c.heartbeat_due_at)
        .returning(
            table.c.id,
            table.c.name,
            table.c.jurisdiction_id,
            table.c.heartbeat_due_at,
            table.c.last_heartbeat_at,
        )
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        db.session.rollback()
        return []
    rows = sorted(rows, key=lambda r: r.id)
    db.session.execute(
        insert(ScreenAlarm.__table__),
        [
            {
                "screen_id": r.id,
                "kind": "offline",
                "started_at": r.heartbeat_due_at,
                "last_heartbeat_at": r.last_heartbeat_at,
            }
            for r in rows
        ],
    )
    # One event per sweep: a power cut takes many screens at once, and the alarm rows keep
    # each screen's own history.
    audit.record(
        "screen.offline",
        actor_name="system",
        summary=f"{len(rows)} screen(s) offline: "
        + "、".join(r.name for r in rows[:10])
        + ("…" if len(rows) > 10 else ""),
        detail={
            "screens": [
                {
                    "id": r.id,
                    "name": r.name,
                    "last_heartbeat_at": r.last_heartbeat_at.isoformat() if r.last_heartbeat_at else None,
                    "due_at": r.heartbeat_due_at.isoformat(),
                }
                for r in rows
            ]
        },
        at=now,
    )
    db.session.commit()
    return [r.id for r in rows]


def sweep_now_and_then(now: datetime) -> None:
    """sweep(), at most every SWEEP_EVERY in this process (the gateway endpoints call it)."""
    key = current_app.config.get("SQLALCHEMY_DATABASE_URI", "")
    with _sweep_lock:
        last = _last_sweep.get(key)
        if last is not None and abs(now - last) < SWEEP_EVERY:
            return
        _last_sweep[key] = now
    sweep(now)


def open_alarms(jurisdiction_id: int) -> list[ScreenAlarm]:
    return list(
        db.session.scalars(
            select(ScreenAlarm)
            .join(Screen, Screen.id == ScreenAlarm.screen_id)
            .where(Screen.jurisdiction_id == jurisdiction_id, ScreenAlarm.ended_at.is_(None))
            .order_by(ScreenAlarm.started_at)
        )
    )


@dataclass(frozen=True)
class Unreachable:
    """A revision's screen delivery that waits on a screen which is not reporting."""

    screen_id: int
    screen_name: str
    status: str  # the delivery's own, unfinished status (pending, accepted, …)
    channel: str
    gateway: str | None
    reason: str  # NEVER_REPORTED or OFFLINE
    since: datetime  # when the screen was due to report and did not
    last_heard_at: datetime | None


NEVER_REPORTED = "never_reported"
OFFLINE = "offline"


def unreachable_deliveries(revision_id: int, now: datetime) -> list[Unreachable]:
    """The revision's unfinished screen deliveries whose screen is offline now, or has never
    reported at all: a pull address nobody is pulling from, which may never settle by itself.

    One join of the revision's screen rows (one per screen) with the screens, by the address the
    publication wrote ("screen:<id>"). Nothing is written: the screen's next report moves its
    delivery on as usual.
    """
    rows = db.session.execute(
        select(
            Screen.id,
            Screen.name,
            Delivery.status,
            Delivery.channel,
            Delivery.gateway,
            Screen.heartbeat_due_at,
            Screen.last_heartbeat_at,
        )
        .select_from(Delivery)
        .join(Screen, Delivery.address == literal("screen:") + cast(Screen.id, String))
        .where(
            Delivery.revision_id == revision_id,
            Delivery.channel == LED_CHANNEL,
            Delivery.status.not_in(Status.FINAL),
            *offline_condition(now),
        )
        .order_by(Screen.id)
    ).all()
    return [
        Unreachable(
            screen_id=r.id,
            screen_name=r.name,
            status=r.status,
            channel=r.channel,
            gateway=r.gateway,
            reason=NEVER_REPORTED if r.last_heartbeat_at is None else OFFLINE,
            since=r.heartbeat_due_at,
            last_heard_at=r.last_heartbeat_at,
        )
        for r in rows
    ]
