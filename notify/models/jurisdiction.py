"""A jurisdiction and the bodies the plan names in it: townships, member units, experts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # GB/T 2260 administrative division code; it also seeds CAP identifiers and geocodes.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    parent_zh: Mapped[str] = mapped_column(String(100), default="")
    parent_en: Mapped[str] = mapped_column(String(100), default="")
    timezone: Mapped[str] = mapped_column(String(50), default="Asia/Shanghai")
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    townships: Mapped[list[Township]] = relationship(back_populates="jurisdiction", order_by="Township.code")
    member_units: Mapped[list[MemberUnit]] = relationship(
        back_populates="jurisdiction", order_by="MemberUnit.position"
    )


class Township(Base):
    __tablename__ = "townships"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), default="")

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="townships")


class MemberUnit(Base):
    """A member unit of the command (附件9); they receive warnings and file daily reports."""

    __tablename__ = "member_units"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    phone: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # The unit in charge of schools (the education bureau, 教育局 / 教科局): its users see school
    # contacts' whole numbers, as they call silent schools.
    oversees_schools: Mapped[bool] = mapped_column(default=False)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="member_units")


class Expert(Base):
    """A member of the expert group (附件10), who may give the consultation's expert opinion."""

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    organisation_zh: Mapped[str] = mapped_column(String(100), default="")
    organisation_en: Mapped[str] = mapped_column(String(150), default="")
    title_zh: Mapped[str] = mapped_column(String(100), default="")
    title_en: Mapped[str] = mapped_column(String(150), default="")

    jurisdiction: Mapped[Jurisdiction] = relationship()
