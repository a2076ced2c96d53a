"""The audit trail (全程留痕, plan §1.5): who did what, when, and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.integrations import Integration


class AuditEvent(Base):
    __tablename__ = "audit_events"
    # The audit log reads one county's events, newest first, a page at a time.
    __table_args__ = (Index("ix_audit_events_jurisdiction_time", "jurisdiction_id", "occurred_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    # The name is copied so the trail still reads right after a user is renamed or removed.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(50), index=True)
    subject_type: Mapped[str] = mapped_column(String(30), default="")
    subject_id: Mapped[int | None]
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    # Set when the actor acted through an integration of the API rather than in the console.
    via_integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id"))
    # The county whose trail this is: each county's administrator reads their own events only.
    # Empty only for an old event nothing ties to a county (see migration 0013).
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))

    via_integration: Mapped[Integration | None] = relationship()
