"""A revision's large audience, as a durable plan the executors expand after the publication.

Publishing writes the responders' deliveries itself and, for the public subscribers and any
group too large to write in the publish transaction, one plan row: which groups, the highest
recipient id at publication (subscribers who join later are not added) and a cursor. Executors
expand it in chunks of recipient ids, each chunk and its cursor in one transaction, under a lease
(notify.dispatch.plans), so a killed expander's plan is taken up where it stopped.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.deliveries import BigId
from notify.models.warnings import Revision


class PlanStatus:
    EXPANDING = "expanding"  # chunks left to write
    DONE = "done"  # every chunk written (or the revision ran out first: see finished_at, cursor)

    ALL = (EXPANDING, DONE)


class DispatchPlan(Base):
    __tablename__ = "dispatch_plans"
    __table_args__ = (Index("ix_dispatch_plans_status", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # One plan per revision: the recipients it holds are those of its large groups.
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), unique=True)
    # The audience groups expanded here (ids), chosen at publication; the others were written then.
    group_ids: Mapped[list[int]] = mapped_column(JSON)
    # max(recipients.id) at publication: the plan's last chunk ends there.
    max_recipient_id: Mapped[int] = mapped_column(BigInteger)
    # The last recipient id expanded; the next chunk starts above it.
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.EXPANDING)
    rows_written: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]

    revision: Mapped[Revision] = relationship()
