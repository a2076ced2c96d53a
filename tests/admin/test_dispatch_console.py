"""The dispatch page: counts from set-based queries, masked numbers per role, the per-address
log, dead-letter replay, and refusals. Deliveries are moved by UPDATEs here, as the executors
(not started under TESTING) and the gateways' callbacks would move them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, update

from notify.dispatch import progress
from notify.extensions import db
from notify.models import AuditEvent, Delivery, GatewayEvent
from notify.models.deliveries import Status
from notify.screens import status
from tests.conftest import fresh, login
from tests.notify.screens.conftest import auth, issue

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TABLE = Delivery.__table__


def _ids(revision_id, n, offset=0):
    return list(
        db.session.scalars(
            select(Delivery.id)
            .where(Delivery.revision_id == revision_id)
            .order_by(Delivery.id)
            .offset(offset)
            .limit(n)
        )
    )


def _move(ids, **values):
    db.session.execute(update(TABLE).where(TABLE.c.id.in_(ids)).values(**values))
    db.session.commit()


def _json(client, rid):
    response = client.get(f"/admin/revisions/{rid}/dispatch.json")
    assert response.status_code == 200
    return response.get_json()


def test_progress_counts_follow_the_deliveries(client, sample_recipients, sample_published):
    rid = sample_published.id
    login(client, "publicity")
    data = _json(client, rid)
    assert data["total"] == 316 and data["by_status"]["pending"] == 316 and data["final"] == 0
    assert data["by_channel"] == {"sms": {"pending": 316}}
    # +86 numbers go to the domestic gateway, the three abroad to Twilio.
    assert {g: sum(row.values()) for g, row in data["by_gateway"].items()} == {"aliyun": 313, "twilio": 3}
    assert data["timeline"] == [] and data["done"] is False

    _move(_ids(rid, 100), status="delivered", accepted_at=T0, finished_at=T0 + timedelta(seconds=30))
    _move(_ids(rid, 20, 100), status="accepted", accepted_at=T0 + timedelta(seconds=5))
    _move(_ids(rid, 6, 120), status="failed", finished_at=T0 + timedelta(seconds=5), error_code="21211")
    data = _json(client, rid)
    assert data["by_status"]["delivered"] == 100 and data["by_status"]["accepted"] == 20
    assert data["by_status"]["failed"] == 6 and data["by_status"]["pending"] == 190
    assert data["final"] == 106 and data["total"] == 316
    series = {k: sum(p[k] for p in data["timeline"]) for k in ("accepted", "delivered", "failed")}
    assert series == {"accepted": 120, "delivered": 100, "failed": 6}


def test_timeline_buckets_are_the_same_on_both_databases(sample_recipients, sample_published):
    rid = sample_published.id
    _move(_ids(rid, 10), status="accepted", accepted_at=T0 + timedelta(seconds=5, microseconds=900_000))
    _move(
        _ids(rid, 5, 10),
        status="delivered",
        accepted_at=T0 + timedelta(seconds=15),
        finished_at=T0 + timedelta(seconds=65),
    )
    epoch = int(T0.timestamp())
    assert progress.timeline(rid, 10) == [
        {"t": epoch, "accepted": 10, "delivered": 0, "failed": 0},
        {"t": epoch + 10, "accepted": 5, "delivered": 0, "failed": 0},
        {"t": epoch + 60, "accepted": 0, "delivered": 5, "failed": 0},
    ]
    assert progress.timeline(rid, 60) == [
        {"t": epoch, "accepted": 15, "delivered": 0, "failed": 0},
        {"t": epoch + 60, "accepted": 0, "delivered": 5, "failed": 0},
    ]
    assert progress.bucket_width(T0, T0 + timedelta(minutes=3)) == 10
    assert progress.bucket_width(T0, T0 + timedelta(hours=3)) == 300


def _addresses(html):
    return re.findall(r'<td class="address">([^<]+)</td>', html)


@pytest.mark.parametrize(
    "username, masked",
    [("publicity", True), ("deputy", True), ("commander", True), ("office", False), ("admin", False)],
)
def test_numbers_are_masked_for_roles_that_need_no_more(
    username, masked, client, sample_recipients, sample_published
):
    login(client, username)
    html = client.get(f"/admin/revisions/{sample_published.id}/dispatch").get_data(as_text=True)
    shown = _addresses(html)
    assert len(shown) == 50
    if masked:
        assert all(re.fullmatch(r"•+\d{4}", a) for a in shown)
        assert "+86139" not in html
    else:
        assert all(re.fullmatch(r"\+\d{10,15}", a) for a in shown)
    assert ('data-test="replay"' in html) is (not masked)


def test_search_by_last_digits_full_number_and_status(client, sample_recipients, sample_published):
    rid = sample_published.id
    target = db.session.scalar(select(Delivery).where(Delivery.address == "+8613903531000"))
    _move([target.id], status="dead", error_code="timeout")
    login(client, "publicity")
    base = f"/admin/revisions/{rid}/dispatch"
    # The last four digits find every number ending so (a school's, and no other group's).
    shown = _addresses(client.get(f"{base}?q=1000").get_data(as_text=True))
    assert shown and all(a.endswith("1000") for a in shown)
    assert _addresses(client.get(f"{base}?q=139 0353 1000").get_data(as_text=True)) == ["•" * 10 + "1000"]
    assert _addresses(client.get(f"{base}?status=dead").get_data(as_text=True)) == ["•" * 10 + "1000"]
    assert _addresses(client.get(f"{base}?q=9999&status=delivered").get_data(as_text=True)) == []
    # A masked role may not probe hidden digits with longer partial suffixes.
    refused = client.get(f"{base}?q=531000")
    assert refused.status_code == 400 and 'data-test="search-error"' in refused.get_data(as_text=True)
    assert client.get(f"{base}?q=abc").status_code == 400
    assert client.get(f"{base}?status=lost").status_code == 400
    assert client.get(f"{base}?after=x").status_code == 400
    client.post("/admin/logout")
    login(client, "office")
    assert _addresses(client.get(f"{base}?q=531000").get_data(as_text=True)) == ["+8613903531000"]


def test_log_pages_by_fifty(client, sample_recipients, sample_published):
    rid = sample_published.id
    login(client, "office")
    seen, url, pages = [], f"/admin/revisions/{rid}/dispatch", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _addresses(html)
        pages += 1
        match = re.search(r'data-test="next-page" href="([^"]+)"', html)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert pages == 7 and len(seen) == 316 and len(set(seen)) == 316


def test_replay_moves_only_this_revisions_dead_letters(client, sample_recipients, sample_published):
    rid = sample_published.id
    dead, failed = _ids(rid, 5), _ids(rid, 3, 5)
    _move(
        dead,
        status="dead",
        attempts=5,
        error_code="timeout",
        finished_at=T0,
        updated_at=T0,
        next_attempt_at=T0,
        lease_owner="w1",
    )
    _move(failed, status="failed", attempts=1, finished_at=T0, updated_at=T0)
    before = {row.id: tuple(row) for row in db.session.execute(TABLE.select().where(TABLE.c.id.not_in(dead)))}
    login(client, "office")
    response = client.post(f"/admin/revisions/{rid}/dispatch/replay")
    assert response.status_code == 302
    fresh()
    rows = db.session.scalars(select(Delivery).where(Delivery.id.in_(dead))).all()
    assert {(d.status, d.attempts, d.lease_owner, d.finished_at) for d in rows} == {
        ("pending", 0, None, None)
    }
    now = datetime.now(UTC)
    assert all(abs(d.next_attempt_at - now) < timedelta(minutes=1) for d in rows)  # due now
    after = {row.id: tuple(row) for row in db.session.execute(TABLE.select().where(TABLE.c.id.not_in(dead)))}
    assert after == before  # nothing else touched
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dispatch.replay"))
    assert event.detail == {"count": 5} and event.actor_name == "office 测试" and event.warning_id
    # Again: nothing dead any more, nothing changes, no second event.
    client.post(f"/admin/revisions/{rid}/dispatch/replay")
    fresh()
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "dispatch.replay")
        )
        == 1
    )


@pytest.mark.parametrize("username", ["publicity", "deputy", "commander", "unit"])
def test_replay_is_refused_to_other_roles(username, client, sample_recipients, sample_published):
    rid = sample_published.id
    _move(_ids(rid, 2), status="dead")
    login(client, username)
    assert client.post(f"/admin/revisions/{rid}/dispatch/replay").status_code == 403
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "dead")) == 2


def test_member_units_and_strangers_cannot_see_the_page(
    client, sample_recipients, sample_published, sample_draft
):
    rid = sample_published.id
    assert client.get(f"/admin/revisions/{rid}/dispatch.json").status_code == 302  # to the log-in page
    login(client, "unit")
    assert client.get(f"/admin/revisions/{rid}/dispatch").status_code == 403
    assert client.get(f"/admin/revisions/{rid}/dispatch.json").status_code == 403
    client.post("/admin/logout")
    login(client, "office")
    assert client.get("/admin/revisions/99999/dispatch").status_code == 404


def test_unpublished_revision_has_no_dispatch_page(client, sample_draft):
    login(client, "office")
    assert client.get(f"/admin/revisions/{sample_draft.id}/dispatch").status_code == 404
    assert client.post(f"/admin/revisions/{sample_draft.id}/dispatch/replay").status_code == 404


def test_replay_needs_the_csrf_token(app, client, sample_recipients, sample_published, monkeypatch):
    rid = sample_published.id
    _move(_ids(rid, 3), status="dead")
    login(client, "office")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/admin/revisions/{rid}/dispatch/replay").status_code == 400
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "dead")) == 3
    # With the token from the page, it goes through.
    html = client.get(f"/admin/revisions/{rid}/dispatch").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert (
        client.post(f"/admin/revisions/{rid}/dispatch/replay", data={"csrf_token": token}).status_code == 302
    )
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "dead")) == 0


def test_gateway_events_of_the_dispatch_period_are_listed(client, sample_recipients, sample_published):
    rid = sample_published.id
    published = db.session.scalar(select(func.min(Delivery.created_at)).where(Delivery.revision_id == rid))
    db.session.add_all(
        [
            GatewayEvent(
                gateway="aliyun",
                event="circuit_open",
                detail="5 transport errors",
                at=datetime.now(UTC),
            ),
            GatewayEvent(
                gateway="twilio",
                event="failover",
                detail="before",
                at=datetime(2020, 1, 1, tzinfo=UTC),
            ),
        ]
    )
    db.session.commit()
    login(client, "publicity")
    data = _json(client, rid)
    assert [(e["gateway"], e["event"]) for e in data["events"]] == [("aliyun", "circuit_open")]
    html = client.get(f"/admin/revisions/{rid}/dispatch").get_data(as_text=True)
    assert 'data-event="circuit_open"' in html and 'data-event="failover"' not in html
    assert published is not None


def test_revision_and_warning_pages_link_the_dispatch_page(client, sample_recipients, sample_published):
    login(client, "publicity")
    url = f"/admin/revisions/{sample_published.id}/dispatch"
    assert url in client.get(f"/admin/revisions/{sample_published.id}").get_data(as_text=True)
    assert url in client.get(f"/admin/warnings/{sample_published.warning_id}").get_data(as_text=True)
    # The page's own script and labels are there for the live refresh.
    html = client.get(url).get_data(as_text=True)
    labels = json.loads(re.search(r'id="dispatch-labels">(.*?)</script>', html, re.S).group(1))
    assert labels["statuses"]["dead"] and "dispatch.js" in html


def test_screens_not_reporting_are_shown_unreachable_with_a_link_to_each(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    with freeze_time(T0) as frozen:
        silent, _token = make_screen(name="县医院门诊大厅", interval=60)
        shown, shown_token = make_screen(name="人民广场", interval=600)
        rid = issue(sample_kind, sample_levels["yellow"], sample_users).id
        client.post(f"/screens/{shown.id}/displayed", json={"version": 2}, headers=auth(shown_token))
        login(client, "publicity")
        data = _json(client, rid)
        assert data["statuses"] == [*Status.ALL, "unreachable"]
        assert (data["unreachable"], data["settled"], data["done"]) == (0, 1, False)
        assert data["unreachable_screens"] == []

        # Its first report was due a minute (plus the grace) after it was registered.
        frozen.tick(timedelta(seconds=60) + status.grace() + timedelta(seconds=1))
        data = _json(client, rid)
        assert data["by_status"]["pending"] == 0 and data["by_status"]["unreachable"] == 1
        assert data["by_channel"]["led"]["unreachable"] == 1
        assert (data["final"], data["settled"], data["total"], data["done"]) == (1, 2, 2, True)
        [item] = data["unreachable_screens"]
        assert item["screen_id"] == silent.id and item["name"] == "县医院门诊大厅"
        assert item["reason"] == "never_reported" and item["url"] == f"/admin/screens/{silent.id}"
        english = client.get(f"/admin/revisions/{rid}/dispatch.json?lang=en").get_json()
        assert english["unreachable_screens"][0]["text"] == "never reported since it was registered"

        html = client.get(f"/admin/revisions/{rid}/dispatch").get_data(as_text=True)
        section = re.search(r'data-test="unreachable-screens"(.*?)</div>', html, re.S).group(0)
        assert "hidden" not in section.split(">")[0]
        assert f'<a href="/admin/screens/{silent.id}">县医院门诊大厅</a>' in section
        assert 'aria-valuenow="100.0"' in html
        assert re.search(r'data-count="unreachable">1<', html)
        # A role that may not open the screens' pages sees the name and the reason, no link.
        client.post("/admin/logout")
        login(client, "deputy")
        [item] = _json(client, rid)["unreachable_screens"]
        assert item["url"] is None and item["name"] == "县医院门诊大厅"


def test_the_status_order_is_the_servers_on_the_page_and_in_the_json(
    client, sample_recipients, sample_published
):
    login(client, "publicity")
    rid = sample_published.id
    html = client.get(f"/admin/revisions/{rid}/dispatch").get_data(as_text=True)
    head = re.search(r'<tr id="route-head">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'data-status="([a-z_]+)"', head) == _json(client, rid)["statuses"]
    assert _json(client, rid)["statuses"] == [*Status.ALL, "unreachable"]
