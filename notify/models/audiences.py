"""Who is warned: groups of recipients, and which groups each alert kind and level reaches.

An audience is data, not code: a rule says "for this kind (at this level, or at every level),
send to this group through this channel". A recipient holds one address on one channel, so a
person reachable by SMS and by a robot is two rows of the same group.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.alert_kinds import AlertKind, Level
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, Township

# The groups the plan names (§4.2.3, §5.3); an installation may add its own.
GROUP_CODES = ("member_units", "townships", "schools", "enterprises", "media", "public", "test")
CHANNELS = ("sms", "robot")


class AudienceGroup(Base):
    __tablename__ = "audience_groups"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    # The exercise group: only it receives messages marked 演练.
    is_test: Mapped[bool] = mapped_column(default=False)
    # A group citizens join and leave themselves (public subscribers): approved as a rule with its
    # size, within a tolerance. Every other group is staff-managed and frozen at approval.
    is_open: Mapped[bool] = mapped_column(default=False)

    jurisdiction: Mapped[Jurisdiction] = relationship()


class Recipient(Base):
    __tablename__ = "recipients"
    __table_args__ = (
        UniqueConstraint("group_id", "channel", "address"),
        Index("ix_recipients_group_channel_active", "group_id", "channel", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("audience_groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    # Recipients tied to a township get only warnings whose area includes it; NULL = county-wide.
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    channel: Mapped[str] = mapped_column(String(20), default="sms")
    address: Mapped[str] = mapped_column(String(200))  # E.164 for SMS
    locale: Mapped[str] = mapped_column(String(10), default="zh")  # zh | en: which text they get
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    group: Mapped[AudienceGroup] = relationship()
    township: Mapped[Township | None] = relationship()


class AudienceRule(Base):
    __tablename__ = "audience_rules"
    __table_args__ = (UniqueConstraint("kind_id", "level_id", "group_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("alert_kinds.id", ondelete="CASCADE"), index=True)
    # NULL: every level of the kind (and kinds without levels).
    level_id: Mapped[int | None] = mapped_column(ForeignKey("levels.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("audience_groups.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20), default="sms")

    kind: Mapped[AlertKind] = relationship()
    level: Mapped[Level | None] = relationship()
    group: Mapped[AudienceGroup] = relationship()
