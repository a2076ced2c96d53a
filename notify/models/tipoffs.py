"""Citizen tip-offs (举报, plan §7.3): the ticket, its photos, its reward and its clarification.

The reporter's name and phone are stored only as Fernet tokens (notify.tipoffs.crypto); nothing
in these tables holds them in clear. The query code is stored as a hash, like a password, so a
copy of the database does not open the public status pages.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, MemberUnit, Township
from notify.models.users import User
from notify.models.warnings import Warning


class Tipoff(Base):
    __tablename__ = "tipoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # JB-20261123-0001: readable on the phone and the telephone; the date is Beijing time.
    ticket_number: Mapped[str] = mapped_column(String(20), unique=True)
    query_code_hash: Mapped[str] = mapped_column(String(64))

    category: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # A tip-off about a named enterprise (from its QR notice board) links to it.
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )

    anonymous: Mapped[bool] = mapped_column(default=True)
    reporter_name_token: Mapped[str] = mapped_column(Text, default="")
    reporter_phone_token: Mapped[str] = mapped_column(Text, default="")
    # Language of the form, so the SMS and any later message speak it too.
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")

    state: Mapped[str] = mapped_column(String(20), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    # Due dates are stored (not computed in SQL) so the overdue list is one portable query.
    acceptance_due_at: Mapped[datetime]
    closure_due_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]  # accepted, not accepted or marked duplicate
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")  # shown to the reporter
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tipoffs.id"), index=True)

    assigned_unit_id: Mapped[int | None] = mapped_column(ForeignKey("member_units.id"), index=True)
    referred_at: Mapped[datetime | None]
    verifying_since: Mapped[datetime | None]

    extension_days: Mapped[int | None]
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extended_at: Mapped[datetime | None]
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # The unit's reply and finding; the reporter sees the reply only once the office approved it.
    outcome: Mapped[str | None] = mapped_column(String(20))
    reply: Mapped[str] = mapped_column(Text, default="")
    reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_submitted_at: Mapped[datetime | None]
    reply_return_reason: Mapped[str] = mapped_column(Text, default="")
    reply_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply_approved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    reward_eligible: Mapped[bool] = mapped_column(default=False)
    # Bumped on every change; a console form carries it back so a stale form changes nothing.
    version: Mapped[int] = mapped_column(default=1)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    township: Mapped[Township] = relationship()
    assigned_unit: Mapped[MemberUnit | None] = relationship()
    duplicate_of: Mapped[Tipoff | None] = relationship(remote_side="Tipoff.id", back_populates="duplicates")
    duplicates: Mapped[list[Tipoff]] = relationship(
        back_populates="duplicate_of", order_by="Tipoff.received_at"
    )
    photos: Mapped[list[TipoffPhoto]] = relationship(back_populates="tipoff", order_by="TipoffPhoto.position")
    reward: Mapped[Reward | None] = relationship(back_populates="tipoff", uselist=False)
    clarification: Mapped[Clarification | None] = relationship(back_populates="tipoff", uselist=False)
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    extended_by: Mapped[User | None] = relationship(foreign_keys=[extended_by_id])
    reply_by: Mapped[User | None] = relationship(foreign_keys=[reply_by_id])
    reply_approved_by: Mapped[User | None] = relationship(foreign_keys=[reply_approved_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class TipoffPhoto(Base):
    """A photo as re-encoded by notify.tipoffs.photos: JPEG, no metadata, longest side ≤ 2048 px.

    The file lives outside the web root (TIPOFF_PHOTO_DIR) under a random name and is served
    only through a view that checks who is asking.
    """

    __tablename__ = "tipoff_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    tipoff_id: Mapped[int] = mapped_column(ForeignKey("tipoffs.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Public pages never show a photo unless the office approved it for publication.
    public: Mapped[bool] = mapped_column(default=False)

    tipoff: Mapped[Tipoff] = relationship(back_populates="photos")


class Reward(Base):
    """One line of the reward ledger: proposed by the office, approved by a commander, paid."""

    __tablename__ = "tipoff_rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    tipoff_id: Mapped[int] = mapped_column(ForeignKey("tipoffs.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))  # yuan
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    payment_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    tipoff: Mapped[Tipoff] = relationship(back_populates="reward")
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    payment_recorded_by: Mapped[User | None] = relationship(foreign_keys=[payment_recorded_by_id])


class Clarification(Base):
    """A public clarification (辟谣) published when a tip-off's finding is a false rumour."""

    __tablename__ = "clarifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    tipoff_id: Mapped[int] = mapped_column(ForeignKey("tipoffs.id"), unique=True)
    # The warning in force when it was published, so readers see it beside the real advice.
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"), index=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime]
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    tipoff: Mapped[Tipoff] = relationship(back_populates="clarification")
    warning: Mapped[Warning | None] = relationship()
    published_by: Mapped[User] = relationship()
