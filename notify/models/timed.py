"""Timed steps of a revision: publication set for a later time, and deadline alerts sent.

The jobs themselves live in APScheduler's table (scheduled_jobs); these rows are what the
console and the record show, and what keeps a job from acting twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.users import User
from notify.models.warnings import Revision


class PublicationSchedule(Base):
    """An approved revision set to publish by itself at a given time (its response start)."""

    __tablename__ = "publication_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), unique=True)
    run_at: Mapped[datetime]
    # scheduled → published (by the job) | done_by_hand | cancelled | failed
    state: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")

    revision: Mapped[Revision] = relationship()
    set_by: Mapped[User] = relationship()


class DeadlineAlert(Base):
    """An escalation sent because a §4.2.2 deadline was about to pass; one per deadline."""

    __tablename__ = "deadline_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "approval_form:c<consultation id>" or "publication:r<revision id>": one alert per deadline.
    key: Mapped[str] = mapped_column(String(60), unique=True)
    deadline: Mapped[str] = mapped_column(String(30))  # approval_form | publication
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime]
    sms_count: Mapped[int] = mapped_column(default=0)
    robot_count: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
