"""Robots through the whole pipeline: outbox routing, leased claims, per-robot budgets, results.

Each robot is a real registry entry whose webhook URL points at the stand-in; the dispatcher is
the one both executors use, its robot senders on httpx.
"""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, insert, select

from notify import clock
from notify.dispatch import texts
from notify.dispatch.executor import ThreadExecutor
from notify.dispatch.setup import build_dispatcher
from notify.extensions import db
from notify.lifecycle.proposals import propose_issue
from notify.models import AudienceGroup, AudienceRule, Delivery, Robot, Township
from notify.models.deliveries import Status
from notify.models.robots import robot_address
from notify.robots import set_groups
from tests.conftest import proposal, take_to

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _fresh_texts():
    # Revision ids start again at 1 in every test; texts cached by id must not leak across.
    texts.clear_cache()
    yield
    texts.clear_cache()


@pytest.fixture
def robot_app(app, monkeypatch):
    """Fast retries; robot budgets in Redis under a prefix of this test's own."""
    for key, value in {
        "DISPATCH_RETRY_BASE_SECONDS": 0.05,
        "DISPATCH_RETRY_CAP_SECONDS": 0.3,
        "DISPATCH_MAX_ATTEMPTS": 5,
        "RATE_LIMIT_STORAGE": REDIS,
        "ROBOT_LIMIT_PREFIX": f"test-robots:{uuid.uuid4().hex}:",
        "ROBOT_TIMEOUT_SECONDS": 2.0,
        "ROBOT_LIMIT_MARGIN_SECONDS": 0.5,
        "RATE_TWILIO": 0,
        "RATE_ALIYUN": 0,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return app


@pytest.fixture
def executors(robot_app):
    started = []

    def start(n: int = 1, threads: int = 2):
        # Each executor has its own dispatcher (its own gateways and budget objects), as separate
        # worker processes would: only Redis makes them share a robot's budget.
        for _ in range(n):
            started.append(
                ThreadExecutor(robot_app, build_dispatcher(robot_app), threads=threads, poll=0.05).start()
            )

    yield start
    for executor in started:
        executor.stop()


def add_robots(j, robot_standins, new_robot, kinds_counts, *, group_code="townships", wrong_secret=False):
    group = db.session.scalar(
        select(AudienceGroup).where(AudienceGroup.jurisdiction_id == j.id, AudienceGroup.code == group_code)
    )
    townships = list(db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id)))
    robots = []
    for kind, count in kinds_counts.items():
        for i in range(count):
            token, secret, url = new_robot(kind)
            robot = Robot(
                jurisdiction_id=j.id,
                kind=kind,
                name=f"{townships[i % len(townships)].name_zh}{kind}群",
                webhook_url=url,
                secret=("SECwrong" if wrong_secret and secret else secret or None),
                township_id=townships[i % len(townships)].id,
            )
            db.session.add(robot)
            db.session.flush()
            set_groups(robot, {group.id})
            robots.append((robot, token))
    return group, robots


def robot_rule(kind, group):
    db.session.add(AudienceRule(kind_id=kind.id, level_id=None, group_id=group.id, channel="robot"))


def statuses(**where):
    db.session.rollback()
    q = select(Delivery.status, func.count()).group_by(Delivery.status)
    for k, v in where.items():
        q = q.where(getattr(Delivery, k) == v)
    return dict(db.session.execute(q).all())


def wait_for(predicate, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def test_outbox_routes_robots_by_kind_and_skips_inactive_ones(
    sample_users, sample_kind, sample_levels, robot_standins, new_robot
):
    j = sample_kind.jurisdiction
    group, robots = add_robots(j, robot_standins, new_robot, {"wecom": 2, "dingtalk": 2, "feishu": 2})
    robot_rule(sample_kind, group)
    robots[0][0].active = False
    db.session.commit()
    revision = propose_issue(sample_kind, proposal(sample_levels["red"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    rows = db.session.scalars(select(Delivery).where(Delivery.channel == "robot")).all()
    assert {r.address: r.gateway for r in rows} == {robot_address(r.id): r.kind for r, _ in robots[1:]}
    assert {r.status for r in rows} == {Status.PENDING}


def test_red_warning_reaches_60_township_robots_within_every_limit(
    sample_users, sample_kind, sample_levels, robot_standins, new_robot, executors
):
    """Sixty township robots (20 of each kind) have each had 20 messages this minute from the
    platform's reminders when a red warning is published: it must wait for each robot's window,
    not be refused or dropped, and two workers sharing the budget in Redis must keep the limit."""
    j = sample_kind.jurisdiction
    group, robots = add_robots(j, robot_standins, new_robot, {"wecom": 20, "dingtalk": 20, "feishu": 20})
    robot_rule(sample_kind, group)
    now = clock.now()
    db.session.execute(
        insert(Delivery),
        [
            {
                "purpose": "reminder",
                "channel": "robot",
                "address": robot_address(r.id),
                "gateway": r.kind,
                "body": f"### 提醒 {n}\n请于10:00前报送昨日措施落实情况。",
                "status": Status.PENDING,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
                "locale": "zh",
            }
            for r, _ in robots
            for n in range(20)
        ],
    )
    db.session.commit()
    executors(n=2)
    assert wait_for(lambda: statuses(purpose="reminder").get(Status.DELIVERED) == 1200, timeout=60)
    revision = propose_issue(sample_kind, proposal(sample_levels["red"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(
        lambda: statuses(revision_id=revision.id).get(Status.DELIVERED) == 60, timeout=150, step=1
    )

    rows = db.session.scalars(select(Delivery).where(Delivery.revision_id == revision.id)).all()
    assert len(rows) == 60 and all(r.attempts == 1 for r in rows), "a wait for budget is not an attempt"
    # From the stand-in's own records: nobody was throttled, no window over its limit.
    assert robot_standins.throttled() == []
    headline = revision.headline_zh
    for robot, token in robots:
        calls = robot_standins.received(robot.kind, token, accepted=True)
        assert len(calls) == 21
        assert sum(headline in c.text for c in calls) == 1
        if robot.kind == "feishu":
            assert robot_standins.max_in_window("feishu", token, 1.0) <= 5
            assert robot_standins.max_in_window("feishu", token, 60.0) <= 100
            assert calls[-1].payload["card"]["header"]["template"] == "red"
        else:
            assert robot_standins.max_in_window(robot.kind, token, 60.0) <= 20
    assert not robot_standins.received(accepted=False)


def test_dingtalk_throttle_requeues_until_the_block_ends_then_delivers(
    robot_app, sample_users, sample_kind, sample_levels, robot_standins, new_robot, executors, monkeypatch
):
    """Another system used the robot's 20 messages: DingTalk answers 130101 and blocks the robot;
    the delivery waits for the block without spending attempts, then arrives."""
    monkeypatch.setitem(robot_app.config, "ROBOT_DINGTALK_BLOCK_SECONDS", 3.0)
    robot_standins.update(dingtalk_block_s=3.0)
    j = sample_kind.jurisdiction
    group, [(robot, token)] = add_robots(j, robot_standins, new_robot, {"dingtalk": 1})
    robot_rule(sample_kind, group)
    db.session.commit()
    import httpx

    from sandbox.robot_standins import dingtalk_sign_for_url

    for n in range(20):
        ts = int(time.time() * 1000)
        answer = httpx.post(
            f"{robot.webhook_url}&timestamp={ts}&sign={dingtalk_sign_for_url(robot.secret, ts)}",
            json={"msgtype": "text", "text": {"content": f"其他系统 {n}"}},
        ).json()
        assert answer["errcode"] == 0
    executors()
    revision = propose_issue(sample_kind, proposal(sample_levels["red"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(lambda: statuses(revision_id=revision.id).get(Status.DELIVERED) == 1, timeout=20)
    ours = [
        c
        for c in robot_standins.received("dingtalk", token)
        if c.payload and c.payload.get("msgtype") == "markdown"
    ]
    assert [c.code for c in ours][0] == 130101 and ours[-1].code == 0
    assert ours[-1].received_at - ours[0].received_at >= 2.9
    row = db.session.scalar(select(Delivery).where(Delivery.revision_id == revision.id))
    assert row.attempts == 1 and row.error_code is None


def test_bad_signature_fails_for_good_with_the_platform_code(
    sample_users, sample_kind, sample_levels, robot_standins, new_robot, executors
):
    j = sample_kind.jurisdiction
    group, robots = add_robots(j, robot_standins, new_robot, {"dingtalk": 1, "feishu": 1}, wrong_secret=True)
    robot_rule(sample_kind, group)
    db.session.commit()
    executors()
    revision = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(lambda: statuses(revision_id=revision.id).get(Status.FAILED) == 2, timeout=15)
    rows = {
        r.gateway: r for r in db.session.scalars(select(Delivery).where(Delivery.revision_id == revision.id))
    }
    assert (rows["dingtalk"].error_code, rows["dingtalk"].attempts) == ("310000", 1)
    assert (rows["feishu"].error_code, rows["feishu"].attempts) == ("19021", 1)
    assert len(robot_standins.received()) == 2  # refused once each, never retried


def test_robot_5xx_is_retried_until_delivered(
    sample_users, sample_kind, sample_levels, robot_standins, new_robot, executors
):
    j = sample_kind.jurisdiction
    group, robots = add_robots(j, robot_standins, new_robot, {"wecom": 3, "feishu": 3})
    robot_rule(sample_kind, group)
    db.session.commit()
    robot_standins.update(error_5xx_share=0.5, seed=3)
    executors()
    revision = propose_issue(sample_kind, proposal(sample_levels["orange"]), sample_users["office"])
    db.session.commit()
    take_to(revision, "published", sample_users)
    assert wait_for(lambda: statuses(revision_id=revision.id).get(Status.DELIVERED) == 6, timeout=20)
    for robot, token in robots:
        assert len(robot_standins.received(robot.kind, token, accepted=True)) == 1


def test_led_rows_are_never_claimed(sample_users, sample_kind, robot_app, executors):
    now = clock.now()
    db.session.execute(
        insert(Delivery),
        [
            {
                "purpose": "warning",
                "channel": "led",
                "address": f"screen:{i}",
                "gateway": gw,
                "status": Status.PENDING,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i, gw in enumerate(["led", "wecom", "webhook", None])
        ],
    )
    db.session.commit()
    executors()
    time.sleep(1.0)
    assert statuses() == {Status.PENDING: 4}
