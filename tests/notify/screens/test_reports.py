"""Gateway reports: heartbeats and "displayed version N" settle the screens' led deliveries;
no executor ever claims them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from notify import clock
from notify.dispatch import claims
from notify.dispatch.dispatcher import Dispatcher
from notify.extensions import db
from notify.models import AuditEvent, Delivery
from notify.models.screens import Screen
from tests.conftest import fresh
from tests.notify.screens.conftest import auth, change, issue


def _statuses(revision_id: int) -> dict[str, str]:
    fresh()
    return dict(
        db.session.execute(
            select(Delivery.address, Delivery.status).where(
                Delivery.revision_id == revision_id, Delivery.channel == "led"
            )
        ).all()
    )


def test_fetch_accepts_and_displayed_delivers(client, make_screen, sample_users, sample_kind, sample_levels):
    screen, token = make_screen()
    other, _ = make_screen()
    revision = issue(sample_kind, sample_levels["yellow"], sample_users)
    assert set(_statuses(revision.id).values()) == {"pending"}
    assert client.get(f"/screens/{screen.id}/feed.json", headers=auth(token)).status_code == 200
    assert _statuses(revision.id) == {screen.address: "accepted", other.address: "pending"}
    response = client.post(f"/screens/{screen.id}/displayed", json={"version": 2}, headers=auth(token))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["deliveries_settled"] == 1 and body["displayed_version"] == 2
    assert _statuses(revision.id) == {screen.address: "delivered", other.address: "pending"}
    row = db.session.scalar(select(Delivery).where(Delivery.address == screen.address))
    assert row.finished_at is not None and row.accepted_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "screen.displayed"))
    assert event.subject_id == screen.id and event.detail["version"] == 2


def test_a_newer_version_displayed_settles_the_revisions_it_superseded(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    screen, token = make_screen()
    first = issue(sample_kind, sample_levels["yellow"], sample_users)
    upgrade = change(first.warning, "upgrade", sample_levels["orange"], sample_users)
    # The gateway was off during the issue and only ever fetched the upgrade (version 3).
    response = client.post(
        f"/screens/{screen.id}/heartbeat", json={"displayed_version": 3}, headers=auth(token)
    )
    assert response.status_code == 200 and response.get_json()["deliveries_settled"] == 2
    assert _statuses(first.id) == {screen.address: "delivered"}
    assert _statuses(upgrade.id) == {screen.address: "delivered"}
    # Reports arriving out of order never move the screen back.
    client.post(f"/screens/{screen.id}/displayed", json={"version": 2}, headers=auth(token))
    fresh()
    assert db.session.get(Screen, screen.id).displayed_version == 3


def test_displayed_below_a_revision_does_not_deliver_it(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    screen, token = make_screen()
    revision = issue(sample_kind, sample_levels["yellow"], sample_users)
    client.post(f"/screens/{screen.id}/displayed", json={"version": 1}, headers=auth(token))
    assert _statuses(revision.id) == {screen.address: "pending"}


def test_bad_reports_are_4xx_with_a_message_and_change_nothing(client, make_screen):
    screen, token = make_screen()
    url = f"/screens/{screen.id}"
    cases = [
        ("displayed", {"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
        ("displayed", {"json": [1, 2]}, 400),
        ("displayed", {"json": {}}, 400),
        ("displayed", {"json": {"version": "2"}}, 400),
        ("displayed", {"json": {"version": -1}}, 400),
        ("displayed", {"json": {"version": True}}, 400),
        ("displayed", {"json": {"version": 7}}, 409),
        ("heartbeat", {"json": {"displayed_version": 1.5}}, 400),
    ]
    for what, kwargs, expected in cases:
        headers = {**auth(token), **kwargs.pop("headers", {})}
        response = client.post(f"{url}/{what}", headers=headers, **kwargs)
        assert response.status_code == expected, (what, kwargs, response.data)
        assert response.get_json()["error"]
    fresh()
    unchanged = db.session.get(Screen, screen.id)
    assert unchanged.last_heartbeat_at is None and unchanged.displayed_version is None
    assert client.post(f"{url}/heartbeat").status_code == 401
    assert client.post(f"{url}/heartbeat", headers=auth("nope")).status_code == 403
    # An empty heartbeat is fine.
    assert client.post(f"{url}/heartbeat", headers=auth(token)).status_code == 200


def test_heartbeat_moves_the_deadline(client, make_screen):
    screen, token = make_screen(interval=120)
    client.post(f"/screens/{screen.id}/heartbeat", headers=auth(token))
    fresh()
    screen = db.session.get(Screen, screen.id)
    assert screen.last_heartbeat_at is not None
    assert (
        timedelta(seconds=120) < screen.heartbeat_due_at - screen.last_heartbeat_at <= timedelta(seconds=180)
    )


def test_no_executor_claims_led_deliveries(app, make_screen, sample_users, sample_kind, sample_levels):
    make_screen()
    make_screen()
    revision = issue(sample_kind, sample_levels["yellow"], sample_users)
    later = clock.now() + timedelta(minutes=5)
    assert claims.claim("led", limit=100, worker="w", lease=timedelta(seconds=30), now=later) == []
    # …and a Celery worker does not keep polling for them (the outbox has nothing else).
    assert claims.outstanding() == 0
    # A dispatcher with no gateways at all still runs its claim pass over every route it knows.
    Dispatcher({}).run_once("w", now=later)
    assert set(_statuses(revision.id).values()) == {"pending"}
    fresh()
    assert db.session.scalar(select(Delivery.lease_owner).where(Delivery.channel == "led")) is None
