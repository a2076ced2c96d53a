"""Schools and kindergartens, what each alert level tells them to do, and whether they confirmed.

A school notice is one school's copy of a published revision's instructions. It travels as an
ordinary delivery (purpose "school_notice", its own body with its own acknowledgement link), and
this table records the acknowledgement and the escalation steps taken because one was missing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.alert_kinds import AlertKind, Level
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, MemberUnit, Township
from notify.models.robots import Robot
from notify.models.warnings import Revision

# 九年一贯制 schools are common in rural counties: primary and middle school under one head.
SCHOOL_TYPES = ("kindergarten", "primary", "middle", "high", "nine_year")
# What an instruction asks of a school; the text says it in words, the code lets the
# dashboard and the data be checked.
MEASURES = (
    "stop_outdoor",
    "flexible_teaching",
    "class_suspension",
    "air_purifiers",
    "resume_outdoor",
    "other",
)
# From when a measure applies. Yu County's plan §5.2: schools stop outdoor activities "from the
# day the response notice is published".
STARTS = ("publication_day", "response_start", "immediately")
APPLIES_ON = ("active", "lift")


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "code"),
        # One school per head phone: the notice's delivery is keyed by revision and address.
        UniqueConstraint("jurisdiction_id", "head_phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # The registry's own key (e.g. the education bureau's school code), so a re-import updates.
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))  # one of SCHOOL_TYPES
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(100), default="")
    head_phone: Mapped[str] = mapped_column(String(40))  # E.164
    duty_name: Mapped[str] = mapped_column(String(100), default="")
    duty_phone: Mapped[str | None] = mapped_column(String(40))  # E.164; reminders go here
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("robots.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    township: Mapped[Township] = relationship()
    robot: Mapped[Robot | None] = relationship()


class SchoolInstruction(Base):
    """One thing a level (or the lifting of a kind) tells schools to do, as data."""

    __tablename__ = "school_instructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("alert_kinds.id", ondelete="CASCADE"), index=True)
    # NULL: every level of the kind (a lifting's "outdoor activities may resume").
    level_id: Mapped[int | None] = mapped_column(ForeignKey("levels.id", ondelete="CASCADE"))
    applies_on: Mapped[str] = mapped_column(String(10), default="active")  # APPLIES_ON
    measure: Mapped[str] = mapped_column(String(30))  # MEASURES
    # Comma-separated SCHOOL_TYPES it applies to; empty for every type.
    school_types: Mapped[str] = mapped_column(String(100), default="")
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    # When the measure is conditional (Wu'an: class suspension only once daily AQI reaches 500).
    condition_zh: Mapped[str] = mapped_column(Text, default="")
    condition_en: Mapped[str] = mapped_column(Text, default="")
    starts: Mapped[str] = mapped_column(String(20), default="publication_day")  # STARTS
    position: Mapped[int] = mapped_column(default=0)

    kind: Mapped[AlertKind] = relationship()
    level: Mapped[Level | None] = relationship()

    @property
    def types(self) -> list[str]:
        return [t for t in self.school_types.split(",") if t]


class SchoolNotice(Base):
    __tablename__ = "school_notices"
    __table_args__ = (
        UniqueConstraint("revision_id", "school_id"),
        Index("ix_school_notices_revision_id_acknowledged_at", "revision_id", "acknowledged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    # Copied at publication, so the dashboard finds the delivery even if the registry changes.
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    phone: Mapped[str] = mapped_column(String(40))
    # A lifting's notice needs no confirmation; an instruction to keep children inside does.
    requires_ack: Mapped[bool] = mapped_column(default=True)
    # The instructions this school got, as shown on the acknowledgement page.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str] = mapped_column(String(100), default="")
    acknowledged_via: Mapped[str | None] = mapped_column(String(10))  # link | sms
    acknowledged_phone: Mapped[str | None] = mapped_column(String(40))
    reminded_at: Mapped[datetime | None]  # stage 1: the duty contact was reminded
    reported_at: Mapped[datetime | None]  # stage 2: listed to the bureau and the township

    revision: Mapped[Revision] = relationship()
    school: Mapped[School] = relationship()
    township: Mapped[Township] = relationship()


class SchoolContact(Base):
    """Who hears about silent schools: the education bureau (township NULL) and each township."""

    __tablename__ = "school_contacts"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "township_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    member_unit_id: Mapped[int | None] = mapped_column(ForeignKey("member_units.id"))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))  # E.164
    active: Mapped[bool] = mapped_column(default=True)

    township: Mapped[Township | None] = relationship()
    member_unit: Mapped[MemberUnit | None] = relationship()


class InboundSms(Base):
    """An uplink message (上行短信) a gateway pushed to us: every one is kept, answered or not."""

    __tablename__ = "inbound_sms"
    __table_args__ = (UniqueConstraint("gateway", "sequence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    # The gateway's id of the message; a re-pushed message carries the same one.
    sequence_id: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text, default="")
    sign_name: Mapped[str] = mapped_column(String(100), default="")
    dest_code: Mapped[str] = mapped_column(String(40), default="")
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    # acknowledged | already | no_notice | ignored
    outcome: Mapped[str] = mapped_column(String(20))
    school_notice_id: Mapped[int | None] = mapped_column(ForeignKey("school_notices.id", ondelete="SET NULL"))
