"""What gateways report: that a screen is alive, which feed version it fetched and displayed.

A screen's delivery status for a revision comes from here: fetched a version carrying it →
accepted; displayed a version at or above it → delivered. Versions only rise, so "displayed N"
settles every revision the screen's versions up to N carried, including one that a newer
version superseded before the gateway got to it (the screen shows the newer state).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from notify import audit
from notify.extensions import db
from notify.models import Delivery
from notify.models.deliveries import Status
from notify.models.screens import LED_CHANNEL, Screen, ScreenAlarm, ScreenFeedVersion
from notify.row_counts import rows_written
from notify.screens import status


def _revisions_up_to(screen_id: int, version: int):
    return select(ScreenFeedVersion.revision_id).where(
        ScreenFeedVersion.screen_id == screen_id,
        ScreenFeedVersion.version <= version,
        ScreenFeedVersion.revision_id.is_not(None),
    )


def _deliveries(screen: Screen, version: int):
    return [
        Delivery.channel == LED_CHANNEL,
        Delivery.address == screen.address,
        Delivery.revision_id.in_(_revisions_up_to(screen.id, version)),
    ]


def fetched(screen: Screen, version: int, now: datetime) -> int:
    """The gateway took the feed at `version`: its pending deliveries are handed over."""
    return rows_written(
        db.session.execute(
            update(Delivery)
            .where(*_deliveries(screen, version), Delivery.status == Status.PENDING)
            .values(status=Status.ACCEPTED, accepted_at=now, updated_at=now, attempts=Delivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    )


def heard(screen: Screen, now: datetime) -> None:
    """Any report proves the gateway alive: move the deadline, close an offline alarm."""
    was_overdue = screen.heartbeat_due_at < now
    if screen.offline_since is not None or was_overdue:
        alarm = None
        if screen.offline_since is not None:
            alarm = db.session.scalar(
                select(ScreenAlarm)
                .where(ScreenAlarm.screen_id == screen.id, ScreenAlarm.ended_at.is_(None))
                .order_by(ScreenAlarm.started_at.desc())
            )
        if alarm is None:  # it came back before any sweep recorded that it had gone
            alarm = ScreenAlarm(
                screen_id=screen.id,
                kind="offline",
                started_at=screen.heartbeat_due_at,
                last_heartbeat_at=screen.last_heartbeat_at,
            )
            db.session.add(alarm)
        alarm.ended_at = now
        audit.record(
            "screen.online",
            actor_name="gateway",
            subject=screen,
            summary=f"{screen.name}: heard again after "
            f"{int((now - alarm.started_at).total_seconds())} s offline",
            detail={"offline_from": alarm.started_at.isoformat(), "back_at": now.isoformat()},
            at=now,
        )
        screen.offline_since = None
    screen.last_heartbeat_at = now
    screen.heartbeat_due_at = status.due_after(screen, now)


class BadReport(ValueError):
    pass


def displayed(screen: Screen, version: int, now: datetime) -> int:
    """The gateway shows `version` on the screen. Returns the deliveries it settled."""
    if version > screen.feed_version:
        raise BadReport(
            f"version {version} was never published for this screen (its latest is {screen.feed_version})"
        )
    settled = 0
    if screen.displayed_version is None or version > screen.displayed_version:
        audit.record(
            "screen.displayed",
            actor_name="gateway",
            subject=screen,
            summary=f"{screen.name}: displaying version {version}",
            detail={"version": version, "previous": screen.displayed_version},
            at=now,
        )
        screen.displayed_version = version
        screen.displayed_at = now
        settled = rows_written(
            db.session.execute(
                update(Delivery)
                .where(
                    *_deliveries(screen, version),
                    Delivery.status.in_((Status.PENDING, Status.SENDING, Status.ACCEPTED, Status.SENT)),
                )
                .values(status=Status.DELIVERED, finished_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        )
    # An older version reported late changes nothing: what a screen shows never moves back.
    return settled
