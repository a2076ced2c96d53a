"""Where a robot or partner-webhook delivery goes: its address resolved in the registry.

Delivery rows carry only `robot:<id>` / `webhook:<id>`; the URL, key and secret are read here,
at send time, so a secret changed or a robot deactivated in the console takes effect on the
next try and never sits in the outbox or the logs.
"""

from __future__ import annotations

from sqlalchemy import select

from notify.channels.partner_webhook import WebhookTarget
from notify.channels.robot_base import RobotTarget
from notify.extensions import db
from notify.models import PartnerWebhook, Robot


def _ids(addresses: list[str], prefix: str) -> dict[int, str]:
    ids = {}
    for address in addresses:
        head, _, tail = address.partition(":")
        if head == prefix and tail.isdigit():
            ids[int(tail)] = address
    return ids


def robots(addresses: list[str]) -> dict[str, RobotTarget]:
    ids = _ids(addresses, "robot")
    if not ids:
        return {}
    rows = db.session.execute(
        select(Robot.id, Robot.kind, Robot.webhook_url, Robot.secret).where(
            Robot.id.in_(ids), Robot.active.is_(True)
        )
    ).all()
    db.session.commit()  # end the read transaction: the sending that follows may take seconds
    return {ids[rid]: RobotTarget(kind, url, secret or None) for rid, kind, url, secret in rows}


def webhooks(addresses: list[str]) -> dict[str, WebhookTarget]:
    ids = _ids(addresses, "webhook")
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            PartnerWebhook.id,
            PartnerWebhook.url,
            PartnerWebhook.secret,
            PartnerWebhook.send_json,
            PartnerWebhook.send_cap,
        ).where(PartnerWebhook.id.in_(ids), PartnerWebhook.active.is_(True))
    ).all()
    db.session.commit()
    return {
        ids[wid]: WebhookTarget(
            url, secret, tuple(f for f, on in (("json", js), ("cap", cap)) if on) or ("json",)
        )
        for wid, url, secret, js, cap in rows
    }
