"""Partner webhooks: one signed POST per webhook per revision, retried on 5xx/429/connection errors.

The receiver is sandbox/webhook_receiver.py, which verifies signatures as the README tells
partners to; the sender is the dispatcher's, on httpx.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from sqlalchemy import select

from notify.channels.base import Message
from notify.channels.partner_webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    PartnerWebhookGateway,
    WebhookTarget,
    retry_after_seconds,
    signature,
)
from notify.dispatch import texts
from notify.dispatch.executor import ThreadExecutor
from notify.dispatch.setup import build_dispatcher
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import Delivery, PartnerWebhook
from notify.models.deliveries import Status
from sandbox.webhook_receiver import verify
from tests.conftest import proposal, take_to

SECRET = "partner-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def _fresh_texts():
    # Revision ids start again at 1 in every test; texts cached by id must not leak across.
    texts.clear_cache()
    yield
    texts.clear_cache()


@pytest.fixture
def hook_app(app, monkeypatch):
    for key, value in {
        "DISPATCH_RETRY_BASE_SECONDS": 0.05,
        "DISPATCH_RETRY_CAP_SECONDS": 0.3,
        "DISPATCH_MAX_ATTEMPTS": 4,
        "WEBHOOK_TIMEOUT_SECONDS": 1.0,
        "RATE_TWILIO": 0,
        "RATE_ALIYUN": 0,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return app


@pytest.fixture
def executor(hook_app):
    started = []

    def start():
        started.append(ThreadExecutor(hook_app, build_dispatcher(hook_app), threads=1, poll=0.05).start())

    yield start
    for e in started:
        e.stop()


def register(j, url, *, name="阳泉日报", active=True, secret=SECRET, json_=True, cap=False):
    hook = PartnerWebhook(
        jurisdiction_id=j.id, name=name, url=url, secret=secret, active=active, send_json=json_, send_cap=cap
    )
    db.session.add(hook)
    db.session.commit()
    return hook


def deliveries(**where):
    db.session.rollback()
    q = select(Delivery).where(Delivery.channel == "webhook")
    for k, v in where.items():
        q = q.where(getattr(Delivery, k) == v)
    return list(db.session.scalars(q.order_by(Delivery.id)))


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_signature_recipe_matches_the_readme():
    body = b'{"id":"YX-1#1"}'
    expected = (
        "sha256=" + __import__("hmac").new(SECRET.encode(), b"1795400000." + body, "sha256").hexdigest()
    )
    assert signature(SECRET, 1795400000, body) == expected
    assert verify(SECRET, "1795400000", expected, body, now=1795400010) is None
    assert verify(SECRET, "1795400000", expected, body + b" ", now=1795400010) == "signature does not match"
    assert "tolerance" in verify(SECRET, "1795400000", expected, body, now=1795400000 + 301)


def test_every_published_revision_is_posted_signed_to_each_active_webhook(
    sample_users, sample_kind, sample_levels, webhook_receiver, executor
):
    j = sample_kind.jurisdiction
    webhook_receiver.partners.update({"daily": SECRET, "tv": "tv-secret-0123456789abcdef"})
    daily = register(j, webhook_receiver.endpoint("daily"))
    tv = register(j, webhook_receiver.endpoint("tv"), name="县电视台", secret="tv-secret-0123456789abcdef")
    register(j, webhook_receiver.endpoint("gone"), name="停用", active=False)
    executor()
    issue = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    db.session.commit()
    take_to(issue, "published", sample_users)
    upgrade = propose_change(
        issue.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    take_to(upgrade, "published", sample_users)
    assert wait_for(lambda: len(deliveries(status=Status.DELIVERED)) == 4)
    rows = deliveries()
    assert {(r.address, r.revision_id) for r in rows} == {
        (f"webhook:{h.id}", rev.id) for h in (daily, tv) for rev in (issue, upgrade)
    }
    assert all(r.gateway == "webhook" and r.attempts == 1 for r in rows)
    posts = webhook_receiver.accepted("daily")
    assert [p.document["event"] for p in posts] == ["warning.issued", "warning.updated"]  # in order
    assert posts[1].document["level"]["code"] == "orange"
    assert posts[1].document["revision"]["supersedes"]["level"] == "yellow"
    assert posts[0].headers["Content-Type"].startswith("application/json")
    delivery_ids = {str(r.id) for r in rows if r.address == f"webhook:{daily.id}"}
    assert {p.headers[DELIVERY_HEADER] for p in posts} == delivery_ids
    assert not [p for p in webhook_receiver.posts if p.status != 200]


def test_each_webhook_gets_the_formats_it_asked_for(
    sample_users, sample_kind, sample_levels, webhook_receiver, executor
):
    from notify.cap.validation import validate

    j = sample_kind.jurisdiction
    for name in ("json", "cap", "both"):
        webhook_receiver.partners[name] = SECRET
    register(j, webhook_receiver.endpoint("json"), name="json")
    register(j, webhook_receiver.endpoint("cap"), name="cap", json_=False, cap=True)
    register(j, webhook_receiver.endpoint("both"), name="both", cap=True)
    executor()
    revision = propose_issue(sample_kind, proposal(sample_levels["orange"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(lambda: len(deliveries(status=Status.DELIVERED)) == 3)
    [only_json] = webhook_receiver.accepted("json")
    assert "cap_xml" not in only_json.document and only_json.document["level"]["code"] == "orange"
    [only_cap] = webhook_receiver.accepted("cap")
    assert only_cap.headers["Content-Type"].startswith("application/cap+xml")
    root = validate(only_cap.body)  # the OASIS CAP 1.2 schema, via notify.cap
    assert root.findtext("{urn:oasis:names:tc:emergency:cap:1.2}msgType") == "Alert"
    [both] = webhook_receiver.accepted("both")
    assert both.document["cap_xml"].encode() == only_cap.body


def test_exercises_are_not_posted_to_partners(sample_users, sample_kind, sample_levels, webhook_receiver):
    register(sample_kind.jurisdiction, webhook_receiver.endpoint("daily"))
    revision = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    revision.warning.is_exercise = True
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert deliveries() == []


def test_5xx_and_429_are_retried_honouring_retry_after_then_delivered(
    sample_users, sample_kind, sample_levels, webhook_receiver, executor
):
    webhook_receiver.partners["daily"] = SECRET
    register(sample_kind.jurisdiction, webhook_receiver.endpoint("daily"))
    webhook_receiver.update(answers=[[503, None], [429, "2"], [502, None]])
    executor()
    revision = propose_issue(sample_kind, proposal(sample_levels["red"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(lambda: [r.status for r in deliveries()] == [Status.DELIVERED], timeout=20)
    [row] = deliveries()
    assert row.attempts == 4
    statuses = [p.status for p in webhook_receiver.posts]
    assert statuses == [503, 429, 502, 200]
    after_429 = webhook_receiver.posts[2].at - webhook_receiver.posts[1].at
    assert after_429 >= 1.9, "Retry-After: 2 was not honoured"


def test_4xx_other_than_429_is_final(sample_users, sample_kind, sample_levels, webhook_receiver, executor):
    # The partner has a different secret: it refuses with 401, and we do not insist.
    webhook_receiver.partners["daily"] = "the-partner-rotated-its-secret"
    register(sample_kind.jurisdiction, webhook_receiver.endpoint("daily"))
    executor()
    revision = propose_issue(sample_kind, proposal(sample_levels["red"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(lambda: [r.status for r in deliveries()] == [Status.FAILED])
    [row] = deliveries()
    assert (row.error_code, row.attempts) == ("http_401", 1)
    assert "signature does not match" in row.error_reason
    assert len(webhook_receiver.posts) == 1


def test_connection_refused_is_retried_until_the_last_attempt(
    hook_app, sample_users, sample_kind, sample_levels, executor
):
    register(sample_kind.jurisdiction, f"http://127.0.0.1:{free_port()}/partner/daily")
    executor()
    revision = propose_issue(sample_kind, proposal(sample_levels["red"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(lambda: [r.status for r in deliveries()] == [Status.DEAD])
    [row] = deliveries()
    assert (row.error_code, row.attempts) == ("connection", 4)


def test_the_receiver_refuses_bad_and_unsigned_posts(webhook_receiver):
    webhook_receiver.partners["daily"] = SECRET
    url = webhook_receiver.endpoint("daily")
    body = json.dumps({"id": "YX-1#1"}).encode()
    now = int(time.time())
    good = {
        TIMESTAMP_HEADER: str(now),
        SIGNATURE_HEADER: signature(SECRET, now, body),
        "Content-Type": "application/json",
    }
    assert httpx.post(url, content=body, headers=good).status_code == 200
    unsigned = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401 and "missing" in unsigned.json()["error"]
    tampered = httpx.post(url, content=body.replace(b"1", b"2"), headers=good)
    assert tampered.status_code == 401
    old = now - 3600
    replayed = httpx.post(
        url,
        content=body,
        headers={**good, TIMESTAMP_HEADER: str(old), SIGNATURE_HEADER: signature(SECRET, old, body)},
    )
    assert replayed.status_code == 401 and "tolerance" in replayed.json()["error"]
    garbage = b"not json"
    signed_garbage = httpx.post(
        url, content=garbage, headers={**good, SIGNATURE_HEADER: signature(SECRET, now, garbage)}
    )
    assert signed_garbage.status_code == 400
    assert httpx.post(webhook_receiver.endpoint("nobody"), content=body, headers=good).status_code == 404
    assert len(webhook_receiver.accepted()) == 1


def test_gateway_maps_answers(webhook_receiver):
    webhook_receiver.partners["daily"] = SECRET
    gw = PartnerWebhookGateway(
        lambda a: {"webhook:1": WebhookTarget(webhook_receiver.endpoint("daily"), SECRET)},
        timeout=1.0,
        allowed_hosts={"127.0.0.1"},  # the receiver's loopback address, allowed like the tests' config
    )
    body = json.dumps({"id": "x"})
    webhook_receiver.update(answers=[[429, "7"], [500, None], [410, None], [301, None]])
    results = [gw.send([Message(i, "webhook:1", body)])[0] for i in range(5)]
    assert [(r.outcome, r.code) for r in results] == [
        ("transient", "http_429"),
        ("transient", "http_500"),
        ("permanent", "http_410"),
        ("permanent", "http_301"),
        ("accepted", None),
    ]
    assert results[0].retry_after == 7.0 and results[1].retry_after is None
    [missing] = gw.send([Message(9, "webhook:2", body)])
    assert (missing.outcome, missing.code) == ("permanent", "webhook_unknown")


def test_retry_after_as_http_date():
    now = time.time()
    from email.utils import formatdate

    assert 9 <= retry_after_seconds(formatdate(now + 10, usegmt=True), now) <= 10
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("99999", now) == 3600.0
