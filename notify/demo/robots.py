"""Demo group robots and a partner webhook, all pointing at the local stand-ins of sandbox/.

Thirteen township robots (one per township, the platforms mixed as townships really use them)
and a few member units' duty-group robots, reached by the heavy-pollution rules through the
robot channel; and one newspaper's webhook. The keys and secrets follow the same made-up rule
the stand-ins know (sandbox/robot_standins.py DEMO_ROBOTS, sandbox/webhook_receiver.py
DEMO_PARTNERS); the product never imports sandbox/, so the rule is written out here too.
"""

from __future__ import annotations

import os

from sqlalchemy import select

from notify.extensions import db
from notify.models import (
    AlertKind,
    AudienceGroup,
    AudienceRule,
    Jurisdiction,
    PartnerWebhook,
    Robot,
    Township,
)
from notify.robots import set_groups

TOWNSHIP_KINDS = ("wecom", "dingtalk", "feishu")
UNIT_ROBOTS = (
    ("县应急局值班群", "wecom"),
    ("市生态环境局盂县分局执法群", "dingtalk"),
    ("县教育局安全工作群", "feishu"),
    ("县住建局工地管理群", "dingtalk"),
)
PARTNER = ("阳泉日报社新媒体中心", "yangquan-daily", "sandbox-partner-secret-yangquan-daily")


def _base(variable: str, default: str) -> str:
    return os.environ.get(variable, default).rstrip("/")


def _url(kind: str, n: int) -> str:
    base = _base("SANDBOX_ROBOTS_URL", "http://127.0.0.1:5105")
    token = f"sandbox-{kind}-{n:02d}"
    return {
        "wecom": f"{base}/cgi-bin/webhook/send?key={token}",
        "dingtalk": f"{base}/robot/send?access_token={token}",
        "feishu": f"{base}/open-apis/bot/v2/hook/{token}",
    }[kind]


def _secret(kind: str, n: int) -> str | None:
    return None if kind == "wecom" else f"SECsandbox{kind}{n:02d}"


def seed_robots(j: Jurisdiction) -> int:
    groups = {
        g.code: g
        for g in db.session.scalars(select(AudienceGroup).where(AudienceGroup.jurisdiction_id == j.id))
    }
    townships = list(
        db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id).order_by(Township.code))
    )
    counters = {kind: 0 for kind in TOWNSHIP_KINDS}
    added = 0

    def add(name: str, kind: str, township: Township | None, group: AudienceGroup) -> None:
        nonlocal added
        counters[kind] += 1
        robot = Robot(
            jurisdiction_id=j.id,
            kind=kind,
            name=name,
            webhook_url=_url(kind, counters[kind]),
            secret=_secret(kind, counters[kind]),
            township_id=township.id if township else None,
        )
        db.session.add(robot)
        db.session.flush()
        set_groups(robot, {group.id})
        added += 1

    for i, township in enumerate(townships):
        add(f"{township.name_zh}应急工作群", TOWNSHIP_KINDS[i % 3], township, groups["townships"])
    for name, kind in UNIT_ROBOTS:
        add(name, kind, None, groups["member_units"])
    kind = db.session.scalar(
        select(AlertKind).where(AlertKind.jurisdiction_id == j.id, AlertKind.code == "heavy_pollution")
    )
    for code in ("townships", "member_units"):
        db.session.add(AudienceRule(kind=kind, level=None, group=groups[code], channel="robot"))
    name, path, secret = PARTNER
    db.session.add(
        PartnerWebhook(
            jurisdiction_id=j.id,
            name=name,
            secret=secret,
            send_json=True,
            send_cap=True,
            url=f"{_base('SANDBOX_WEBHOOK_URL', 'http://127.0.0.1:5106')}/partner/{path}",
        )
    )
    db.session.flush()
    return added
