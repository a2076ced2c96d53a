"""Offline alarms: a screen silent longer than its interval plus the grace raises one; being
heard again closes it. Computed by one query over all screens, recorded by sweep()."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.models import AuditEvent
from notify.models.screens import Screen, ScreenAlarm
from notify.screens import status
from tests.conftest import fresh
from tests.notify.screens.conftest import auth

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _alarms(screen_id: int) -> list[ScreenAlarm]:
    fresh()
    return list(
        db.session.scalars(
            select(ScreenAlarm).where(ScreenAlarm.screen_id == screen_id).order_by(ScreenAlarm.id)
        )
    )


def test_silence_beyond_interval_and_grace_raises_an_alarm_and_a_heartbeat_ends_it(
    client, make_screen, sample_jurisdiction, app
):
    grace = status.grace()
    with freeze_time(T0) as frozen:
        quiet, quiet_token = make_screen(interval=60)
        chatty, chatty_token = make_screen(interval=300)
        for screen, token in ((quiet, quiet_token), (chatty, chatty_token)):
            assert client.post(f"/screens/{screen.id}/heartbeat", headers=auth(token)).status_code == 200

        frozen.tick(timedelta(seconds=60) + grace - timedelta(seconds=1))
        assert status.offline_count(sample_jurisdiction.id, clock.now()) == 0
        assert status.sweep(clock.now()) == []

        frozen.tick(timedelta(seconds=2))
        assert status.offline_count(sample_jurisdiction.id, clock.now()) == 1
        assert status.sweep(clock.now()) == [quiet.id]
        assert status.sweep(clock.now()) == []  # recorded once
        [alarm] = _alarms(quiet.id)
        assert alarm.started_at == T0 + timedelta(seconds=60) + grace
        assert alarm.ended_at is None and alarm.last_heartbeat_at == T0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "screen.offline"))
        assert event.detail["screens"][0]["id"] == quiet.id and quiet.name in event.summary
        assert _alarms(chatty.id) == []

        frozen.tick(timedelta(minutes=10))
        assert client.post(f"/screens/{quiet.id}/heartbeat", headers=auth(quiet_token)).status_code == 200
        [alarm] = _alarms(quiet.id)
        assert alarm.ended_at == clock.now()
        assert db.session.get(Screen, quiet.id).offline_since is None
        back = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "screen.online"))
        assert back.subject_id == quiet.id
        # The chatty screen's five minutes (plus grace) have passed meanwhile.
        assert status.offline_count(sample_jurisdiction.id, clock.now()) == 1


def test_a_screen_that_never_reports_is_offline_after_its_first_interval(make_screen, sample_jurisdiction):
    with freeze_time(T0) as frozen:
        screen, _ = make_screen(interval=30)
        frozen.tick(timedelta(seconds=30) + status.grace() + timedelta(seconds=1))
        assert status.sweep(clock.now()) == [screen.id]
        assert _alarms(screen.id)[0].last_heartbeat_at is None


def test_coming_back_before_any_sweep_still_leaves_a_closed_alarm(client, make_screen):
    with freeze_time(T0) as frozen:
        screen, token = make_screen(interval=60)
        frozen.tick(timedelta(minutes=30))
        client.post(f"/screens/{screen.id}/heartbeat", headers=auth(token))
        [alarm] = _alarms(screen.id)
        assert alarm.started_at == T0 + timedelta(seconds=60) + status.grace()
        assert alarm.ended_at == T0 + timedelta(minutes=30)


def test_switched_off_screens_raise_no_alarm(make_screen, sample_jurisdiction):
    with freeze_time(T0) as frozen:
        screen, _ = make_screen(interval=30)
        db.session.get(Screen, screen.id).active = False
        db.session.commit()
        frozen.tick(timedelta(hours=1))
        assert status.offline_count(sample_jurisdiction.id, clock.now()) == 0
        assert status.sweep(clock.now()) == []
