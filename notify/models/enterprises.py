"""Enterprises, the jurisdiction's reduction list (附件11 as data), each plant's own plan (一厂一策)
and the duty each enterprise received with a published revision.

Seed 000 §5.3 ① and 附件11: what an enterprise must do at Ⅲ, Ⅱ and Ⅰ depends on its industry,
sub-type and performance grade; §5.6: measures in place within 2 h of the order. Seed 001 §六:
the list is revised every year, each listed enterprise keeps a one-plant-one-policy plan with its
lines to stop, key indicators and responsible people, and a QR notice board at its gate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, Township
from notify.models.robots import Robot
from notify.models.users import User
from notify.models.warnings import Revision

# Performance grades of the 附件11 tables' columns. Industries with a sub-type graded
# 引领性 / 非引领性 (粉磨站, 非烧结砖 …) use the last two; "exempt" carries its reason.
GRADES = ("A", "B", "C", "D", "leading", "non_leading", "exempt")
EXEMPT_REASONS = ("livelihood", "heat_based", "micro")  # 保民生, 以热定产, 小微涉气企业
POLLUTANTS = ("so2", "nox", "pm", "vocs")
# Response levels as the appendix names them; a Level's numeral says which one it is.
RESPONSES = ("III", "II", "I")
# Emission standard of the enterprise's heavy trucks: 国三 … 国六, or electric.
TRUCK_STANDARDS = ("china3", "china4", "china5", "china6", "electric")
PLAN_STATES = ("draft", "approved", "superseded")
DUTY_KINDS = ("duty", "release")


class Enterprise(Base):
    __tablename__ = "enterprises"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # 统一社会信用代码 (GB 32100-2015), checked by its check character.
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    industry: Mapped[str] = mapped_column(String(40))  # notify.enterprises.industries code
    subtype: Mapped[str] = mapped_column(String(40), default="")  # "" for the industry proper
    grade: Mapped[str] = mapped_column(String(20))  # GRADES
    exempt_reason: Mapped[str] = mapped_column(String(20), default="")  # EXEMPT_REASONS
    # Annual emissions, tonnes a year: the reduction arithmetic weighs duties by them.
    so2_tpa: Mapped[float] = mapped_column(Float, default=0.0)
    nox_tpa: Mapped[float] = mapped_column(Float, default=0.0)
    pm_tpa: Mapped[float] = mapped_column(Float, default=0.0)
    vocs_tpa: Mapped[float] = mapped_column(Float, default=0.0)
    # Freight, tonnes a year, and the standard of its trucks (000 §5.3 ③: 150万吨 and above).
    freight_tpa: Mapped[float] = mapped_column(Float, default=0.0)
    truck_standard: Mapped[str] = mapped_column(String(20), default="")
    legal_person: Mapped[str] = mapped_column(String(100), default="")
    env_officer: Mapped[str] = mapped_column(String(100), default="")
    env_officer_phone: Mapped[str] = mapped_column(String(40))  # E.164; duties go here
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("robots.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    # 涉密企业: left off the public grading list and boards (001 §五).
    classified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    township: Mapped[Township] = relationship()
    robot: Mapped[Robot | None] = relationship()
    lines: Mapped[list[ProductionLine]] = relationship(
        back_populates="enterprise", order_by="ProductionLine.position", cascade="all, delete-orphan"
    )

    def emissions(self) -> dict[str, float]:
        return {p: float(getattr(self, f"{p}_tpa") or 0.0) for p in POLLUTANTS}


class ProductionLine(Base):
    """A production line or process of an enterprise, with its three capacity figures."""

    __tablename__ = "production_lines"
    __table_args__ = (UniqueConstraint("enterprise_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The appendix's process names (烧结, 球团, 熔炼, 焙烧, 破碎, 成型, 喷涂 …), comma-separated.
    processes: Mapped[str] = mapped_column(String(300), default="")
    emits: Mapped[bool] = mapped_column(default=True)  # 涉气
    # Daily capacity (unit below) by 环评批复, 排污许可 and the previous year's actual output.
    capacity_eia: Mapped[float | None] = mapped_column(Float)
    capacity_permit: Mapped[float | None] = mapped_column(Float)
    capacity_actual: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20), default="t/d")
    position: Mapped[int] = mapped_column(default=0)

    enterprise: Mapped[Enterprise] = relationship(back_populates="lines")

    @property
    def basis(self) -> float | None:
        """附件11: a limit is computed on the smallest of the three daily figures."""
        figures = [
            f for f in (self.capacity_eia, self.capacity_permit, self.capacity_actual) if f is not None
        ]
        return min(figures) if figures else None


class ReductionList(Base):
    """One year's version of a jurisdiction's industrial reduction list (应急减排清单)."""

    __tablename__ = "reduction_lists"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    version: Mapped[int]
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    # The plan's reduction targets in percent per response: {"III": 20, "II": 30, "I": 40}.
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The micro-enterprise exemption (附件11 备注 (2)) as a rule: {"max_kg_per_year": 100, …}.
    exemption: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    measures: Mapped[list[ReductionMeasure]] = relationship(
        back_populates="reduction_list", order_by="ReductionMeasure.position", cascade="all, delete-orphan"
    )


class ReductionMeasure(Base):
    """One cell of 附件11: industry × sub-type × grade × response → the text and the action."""

    __tablename__ = "reduction_measures"
    __table_args__ = (UniqueConstraint("list_id", "industry", "subtype", "grade", "response"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("reduction_lists.id", ondelete="CASCADE"), index=True)
    industry: Mapped[str] = mapped_column(String(40))
    subtype: Mapped[str] = mapped_column(String(40), default="")
    grade: Mapped[str] = mapped_column(String(20))
    response: Mapped[str] = mapped_column(String(4))  # RESPONSES
    text_zh: Mapped[str] = mapped_column(Text)
    # The structured action: stop_share, limit_share (percent), basis, processes, trucks,
    # voluntary, conditions; see notify.enterprises.measures.Action.
    action: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)

    reduction_list: Mapped[ReductionList] = relationship(back_populates="measures")


class EnterprisePlan(Base):
    """一厂一策: one version of an enterprise's own plan, its measures per response level."""

    __tablename__ = "enterprise_plans"
    __table_args__ = (UniqueConstraint("enterprise_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default="draft")  # PLAN_STATES
    list_id: Mapped[int | None] = mapped_column(ForeignKey("reduction_lists.id"))
    # Per response ("III", "II", "I"): {"text", "lines": [line ids], "processes", "prep_hours",
    # "indicators": [{"name", "value", "unit"}], "responsible": [{"name", "phone", "duty"}]}.
    levels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])


class EnterpriseDuty(Base):
    """One enterprise's duty (or its release) frozen with a published revision, and whether the
    enterprise received it and put its measures in place."""

    # No foreign keys, on purpose: a publication writes thousands of these rows in its own
    # transaction, and on PostgreSQL each key is a trigger per row (six of them took 207 of the
    # 304 ms that 10,000 duties took; bench/fanout.py --enterprises). What they point at is never
    # deleted (revisions and list versions are the record, enterprises are made inactive, plans
    # superseded), and the one writer takes every id from the rows it joins (duties.write_for).
    __tablename__ = "enterprise_duties"
    __table_args__ = (
        UniqueConstraint("revision_id", "enterprise_id"),
        # The duties whose SMS is still to be written: the executors' next chunk, read by id.
        Index(
            "ix_enterprise_duties_unnotified",
            "id",
            sqlite_where=text("notified_at IS NULL"),
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int]
    enterprise_id: Mapped[int] = mapped_column(index=True)
    # Copied at publication, so the dashboard and the record do not move with the registry.
    township_id: Mapped[int]
    list_id: Mapped[int | None]
    measure_id: Mapped[int | None]
    plan_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(10), default="duty")  # DUTY_KINDS
    response: Mapped[str] = mapped_column(String(4), default="")  # "" for a release
    grade: Mapped[str] = mapped_column(String(20), default="")
    exempt: Mapped[bool] = mapped_column(default=False)
    text_zh: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Expected daily reduction, tonnes a day per pollutant, from the emissions and the action.
    reduction: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    phone: Mapped[str] = mapped_column(String(40), default="")
    requires_ack: Mapped[bool] = mapped_column(default=True)
    due_at: Mapped[datetime | None]  # measures in place by (000 §5.6: 2 h from the order)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    received_at: Mapped[datetime | None]
    in_place_at: Mapped[datetime | None]
    in_place_note: Mapped[str] = mapped_column(Text, default="")
    in_place_photo: Mapped[str | None] = mapped_column(String(200))  # storage key
    # Its SMS written to the outbox: after the publication's commit, in chunks by the executors,
    # so that publishing stays within its budget however many enterprises there are.
    notified_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]  # a newer revision's duty replaced this one
    reminded_at: Mapped[datetime | None]  # stage 1: the enterprise was reminded
    reported_at: Mapped[datetime | None]  # stage 2: listed to the township and the bureau

    revision: Mapped[Revision] = relationship(
        primaryjoin="foreign(EnterpriseDuty.revision_id) == Revision.id", viewonly=True
    )
    enterprise: Mapped[Enterprise] = relationship(
        primaryjoin="foreign(EnterpriseDuty.enterprise_id) == Enterprise.id", viewonly=True
    )
    township: Mapped[Township] = relationship(
        primaryjoin="foreign(EnterpriseDuty.township_id) == Township.id", viewonly=True
    )
    measure: Mapped[ReductionMeasure | None] = relationship(
        primaryjoin="foreign(EnterpriseDuty.measure_id) == ReductionMeasure.id", viewonly=True
    )
    plan: Mapped[EnterprisePlan | None] = relationship(
        primaryjoin="foreign(EnterpriseDuty.plan_id) == EnterprisePlan.id", viewonly=True
    )


class EnterpriseContact(Base):
    """Who hears about silent enterprises: the ecology bureau (township NULL) and each township."""

    __tablename__ = "enterprise_contacts"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "township_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))  # E.164
    active: Mapped[bool] = mapped_column(default=True)

    township: Mapped[Township | None] = relationship()
