"""Alert kinds and their level scales: the plan's rules held as data, per jurisdiction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction

ADVISORY_BLOCKS = ("health", "voluntary", "mandatory", "school")


class AlertKind(Base):
    __tablename__ = "alert_kinds"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    # An ungraded kind (ozone prompt, SO2 control) has a single pseudo-level.
    graded: Mapped[bool] = mapped_column(default=True)
    cap_category: Mapped[str] = mapped_column(String(20), default="Env")
    cap_event_zh: Mapped[str] = mapped_column(String(100), default="")
    cap_event_en: Mapped[str] = mapped_column(String(150), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    levels: Mapped[list[Level]] = relationship(back_populates="kind", order_by="Level.rank")


class Level(Base):
    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("kind_id", "code"), UniqueConstraint("kind_id", "rank"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("alert_kinds.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int]  # 1 is the lowest; upgrade and downgrade compare ranks
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80))
    numeral: Mapped[str] = mapped_column(String(8), default="")
    colour: Mapped[str] = mapped_column(String(7))
    response_level_zh: Mapped[str] = mapped_column(String(50), default="")
    response_level_en: Mapped[str] = mapped_column(String(80), default="")
    approver_role: Mapped[str] = mapped_column(String(30))
    cap_severity: Mapped[str] = mapped_column(String(12), default="Moderate")
    criteria_zh: Mapped[str] = mapped_column(Text, default="")
    criteria_en: Mapped[str] = mapped_column(Text, default="")
    # Machine-readable form of the criteria (see notify.lifecycle.criteria); null where the
    # criteria are not forecast-AQI based and a person judges them.
    criteria_rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    kind: Mapped[AlertKind] = relationship(back_populates="levels")
    advisories: Mapped[list[Advisory]] = relationship(
        back_populates="level",
        order_by="(Advisory.block, Advisory.position)",
        cascade="all, delete-orphan",
    )

    def advisory_blocks(self) -> dict[str, list[dict[str, str]]]:
        blocks: dict[str, list[dict[str, str]]] = {b: [] for b in ADVISORY_BLOCKS}
        for a in sorted(self.advisories, key=lambda a: (a.block, a.position)):
            blocks.setdefault(a.block, []).append({"zh": a.text_zh, "en": a.text_en})
        return blocks


class Advisory(Base):
    """One paragraph of a level's health advice, voluntary or mandatory measures, or school instructions."""

    __tablename__ = "advisories"

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id"), index=True)
    block: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")

    level: Mapped[Level] = relationship(back_populates="advisories")
