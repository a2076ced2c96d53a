"""Demo integrations of the JSON API: the county media centre reading published warnings with a
known token (printed by `flask seed-demo`, like the demo password), the duty system that drafts
and publishes as office staff (who confirmed it: the seed runs as them), and the deputy
commander's mobile app, which shows what waits for approval (approving itself is done in the
console: no integration can approve)."""

from __future__ import annotations

import os
from datetime import timedelta

from notify import clock, integrations
from notify.extensions import db
from notify.integrations import IntegrationData
from notify.models import ApiToken, Jurisdiction, User


def demo_token() -> str:
    return os.environ.get("DEMO_API_TOKEN", "cwp_demo-yu-2026-media-centre-read-only")


def seed_integrations(j: Jurisdiction, users: dict[str, User]) -> None:
    admin = users["admin"]
    media = integrations.create_integration(
        j.id,
        IntegrationData(
            name="县融媒体中心",
            scopes=["read"],
            description="融媒体中心读取现行预警、CAP 文件和送达统计，用于电视、广播和客户端推送。",
        ),
        admin,
    )
    # A known token so that the README's curl example works on the demo; real ones are random.
    token = demo_token()
    db.session.add(
        ApiToken(
            integration=media,
            token_hash=integrations.digest(token),
            prefix=token[:10],
            created_by=admin,
            created_at=clock.now(),
            last_used_at=clock.now() - timedelta(minutes=7),
        )
    )
    duty = integrations.create_integration(
        j.id,
        IntegrationData(
            name="县应急值班系统",
            scopes=["read", "draft", "publish"],
            acting_user=users["office"],
            description="值班系统录入会商结论、起草预警并在审批后发布；以办公室王办公的身份操作。",
        ),
        admin,
    )
    integrations.issue_token(duty, admin)
    # The office's own confirmation, as they would give it logged in to the console.
    integrations.confirm_acting(duty, users["office"])
    approvals = integrations.create_integration(
        j.id,
        IntegrationData(
            name="副总指挥移动端待审提醒",
            scopes=["read", "read_drafts"],
            description="副总指挥在移动端查看待审批的预警及审批表；审批须登录控制台办理。",
        ),
        admin,
    )
    integrations.issue_token(approvals, admin)
    db.session.flush()
