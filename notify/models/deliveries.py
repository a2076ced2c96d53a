"""One message to one address on one channel, tracked from the outbox to its end.

Rows are written set-based when a revision is published (the outbox) and moved along by the
executors and by gateway callbacks, always with set-based UPDATEs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.warnings import Revision

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint for a million a day.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Status:
    PENDING = "pending"  # in the outbox, waiting for its time
    SENDING = "sending"  # claimed by a worker under a lease
    ACCEPTED = "accepted"  # the gateway took it (handed over)
    SENT = "sent"  # the gateway passed it to the carrier
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"  # refused for good (bad number, unsubscribed, …)
    DEAD = "dead"  # transient errors until the last retry: a dead letter
    EXPIRED = "expired"  # its revision ran out before it could be sent

    ALL = (PENDING, SENDING, ACCEPTED, SENT, DELIVERED, UNDELIVERED, FAILED, DEAD, EXPIRED)
    FINAL = (DELIVERED, UNDELIVERED, FAILED, DEAD, EXPIRED)
    HANDED_OVER = (ACCEPTED, SENT)
    # How far along a status is; a report never moves a delivery to a lower rank.
    RANK = {
        PENDING: 0,
        SENDING: 1,
        ACCEPTED: 2,
        SENT: 3,
        DELIVERED: 4,
        UNDELIVERED: 4,
        FAILED: 4,
        DEAD: 4,
        EXPIRED: 4,
    }


class Priority:
    """deliveries.priority: 1 is the most urgent; claims take the smallest first on each route.

    notify.dispatch.priority computes a warning's; what is written without one (tip-off receipts,
    reminders, escalations, school notices) is routine, the column's default on both sides.
    """

    MOST_URGENT = 1
    ROUTINE = 50


# The rows a claim looks at: pending or leased. The claim query repeats this term verbatim (as
# literals, not parameters) so that SQLite and PostgreSQL both prove the partial index usable.
CLAIMABLE_SQL = "status IN ('pending', 'sending')"
PENDING_EXPIRY_SQL = "status = 'pending' AND expires_at IS NOT NULL"
OWN_TEXT_SQL = "body IS NOT NULL"


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        # A school's phone may get the warning and its school notice of the same revision.
        UniqueConstraint("revision_id", "channel", "address", "purpose"),
        # The claim query: the claimable rows of one route, most urgent first, in the index's
        # order, so a claim reads its batch off the front instead of sorting a million rows.
        Index(
            "ix_deliveries_claimable",
            "gateway",
            "priority",
            "id",
            postgresql_where=text(CLAIMABLE_SQL),
            sqlite_where=text(CLAIMABLE_SQL),
        ),
        # Expiry housekeeping every few seconds: only the pending rows that carry an end.
        Index(
            "ix_deliveries_pending_expiry",
            "expires_at",
            postgresql_where=text(PENDING_EXPIRY_SQL),
            sqlite_where=text(PENDING_EXPIRY_SQL),
        ),
        # The few rows that carry their own text (receipts, reminders): the private ones are
        # blanked once over (outbox.scrub_private), without reading the million warning rows.
        Index(
            "ix_deliveries_own_text",
            "purpose",
            "status",
            postgresql_where=text(OWN_TEXT_SQL),
            sqlite_where=text(OWN_TEXT_SQL),
        ),
        Index("ix_deliveries_provider_id_address", "provider_id", "address"),
        Index("ix_deliveries_revision_id_status", "revision_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # NULL for one-off messages (a tip-off confirmation), which carry their own body.
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    # The revision this one supersedes: it must reach its end at this address first.
    after_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    purpose: Mapped[str] = mapped_column(String(30), default="warning")
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(10), default="zh")
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=Status.PENDING)
    priority: Mapped[int] = mapped_column(
        SmallInteger, default=Priority.ROUTINE, server_default=text(str(Priority.ROUTINE))
    )
    # The gateway it is routed to; failover rewrites it.
    gateway: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_reason: Mapped[str] = mapped_column(String(300), default="")
    segments: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    accepted_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    revision: Mapped[Revision | None] = relationship(foreign_keys=[revision_id])


class GatewayEvent(Base):
    """A gateway's circuit opening or closing, and the failover it caused: recorded for the
    publicity group and the after-action review."""

    __tablename__ = "gateway_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20), index=True)
    event: Mapped[str] = mapped_column(String(30))  # circuit_open | circuit_closed | failover
    detail: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(80), default="")
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)


class UnmatchedReport(Base):
    """A receipt that named no delivery yet: it overtook the worker's own write of the BizId.

    Kept and applied again by the executors for a while, instead of relying on the gateway to
    push it again (Aliyun re-pushes only what it thinks failed).
    """

    __tablename__ = "unmatched_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(300), default="")
    reported_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
