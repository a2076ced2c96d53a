"""Group robots (WeCom, DingTalk, Feishu): webhooks a warning is posted to.

A robot is reached through an audience recipient with channel "robot" and address
"robot:<id>", so that the webhook key and signing secret stay in this table and never travel
in delivery rows or logs. Deliveries to a robot have channel "robot" and gateway = its kind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, Township

ROBOT_KINDS = ("wecom", "dingtalk", "feishu")


def robot_address(robot_id: int) -> str:
    return f"robot:{robot_id}"


class Robot(Base):
    __tablename__ = "robots"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # one of ROBOT_KINDS
    name: Mapped[str] = mapped_column(String(200))
    # The full webhook URL as the platform shows it (WeCom's carries ?key=, DingTalk's ?access_token=).
    webhook_url: Mapped[str] = mapped_column(String(500))
    # DingTalk's and Feishu's signing secret ("加签"); WeCom robots have none.
    secret: Mapped[str | None] = mapped_column(String(200))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    township: Mapped[Township | None] = relationship()
