"""Partner webhooks: media and partner systems that get every published revision POSTed to them.

A webhook is not an audience recipient: every active webhook of the jurisdiction gets every
revision that is not an exercise, as one delivery with channel "webhook", gateway "webhook" and
address "webhook:<id>", so that the URL and signing secret stay in this table only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction

WEBHOOK_CHANNEL = "webhook"


def webhook_address(webhook_id: int) -> str:
    return f"webhook:{webhook_id}"


class PartnerWebhook(Base):
    __tablename__ = "partner_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    # The HMAC-SHA256 key the partner verifies our signature with (shown once, when set).
    secret: Mapped[str] = mapped_column(String(200))
    send_json: Mapped[bool] = mapped_column(default=True)
    send_cap: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()

    @property
    def formats(self) -> list[str]:
        return [f for f, on in (("json", self.send_json), ("cap", self.send_cap)) if on]
