"""A warning and its revisions: the aggregate the lifecycle guard works on.

A warning is one incident of an alert kind in an area, from first issue to lifting. Each step
(issue, upgrade, downgrade, extend, lift) is a revision; a published revision is never edited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.alert_kinds import AlertKind, Level
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, Township
from notify.models.users import User

revision_townships = Table(
    "revision_townships",
    Base.metadata,
    Column("revision_id", ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True),
    Column("township_id", ForeignKey("townships.id"), primary_key=True),
)


class Consultation(Base):
    """The forecast consultation's opinion form (附件4), or a city notice that starts the clock."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # 'consultation' (会商意见) or 'city_notice' (市级预警通知): both start the 1-hour clock.
    source: Mapped[str] = mapped_column(String(20), default="consultation")
    concluded_at: Mapped[datetime]
    conclusion: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(100))
    reported_on: Mapped[datetime | None]
    reviewer: Mapped[str] = mapped_column(String(100), default="")
    reviewed_on: Mapped[datetime | None]
    expert_opinion: Mapped[str] = mapped_column(Text, default="")
    expert_opinion_on: Mapped[datetime | None]
    # Optional forecast of daily AQI values, one per day from the episode start; the console
    # uses it to suggest the level whose criteria it meets.
    forecast_daily_aqi: Mapped[list[int] | None] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    created_by: Mapped[User] = relationship()


class Warning(Base):
    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("alert_kinds.id"), index=True)
    # Human reference, e.g. 140322-2026-003: county code, year, sequence within the year.
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    # 'proposed' until the first revision is published, then 'active', then 'lifted';
    # 'abandoned' when its only proposal was rejected.
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    # An exercise (演练, CAP status Exercise): the whole flow runs, but only the test audience
    # is reached and every message is marked as a drill.
    is_exercise: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    kind: Mapped[AlertKind] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="warning",
        order_by="Revision.sequence",
        foreign_keys="Revision.warning_id",
    )

    @property
    def current(self) -> Revision | None:
        """The latest published revision: what the public sees."""
        published = [r for r in self.revisions if r.state == "published"]
        return published[-1] if published else None

    @property
    def open_proposal(self) -> Revision | None:
        """The revision still on its way to publication, if any (one at a time per warning)."""
        for r in self.revisions:
            if r.state in ("draft", "pending_approval", "returned", "approved"):
                return r
        return None


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("warning_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), index=True)
    sequence: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # issue, upgrade, downgrade, extend, lift
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id"))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))

    # Content of the warning, §4.2.3.
    headline_zh: Mapped[str] = mapped_column(String(200))
    headline_en: Mapped[str] = mapped_column(String(300), default="")
    area_scope: Mapped[str] = mapped_column(String(20), default="county")  # county | townships
    trend: Mapped[str] = mapped_column(Text, default="")  # 气象条件变化趋势
    episode_start: Mapped[datetime | None]  # 重污染天气发生的时间
    episode_end: Mapped[datetime | None]
    aqi_min: Mapped[int | None]  # AQI指数范围
    aqi_max: Mapped[int | None]
    degree: Mapped[str] = mapped_column(String(50), default="")  # 污染程度
    primary_pollutant: Mapped[str] = mapped_column(String(50), default="")  # 主要污染物
    response_start_at: Mapped[datetime | None]  # 响应启动时间
    advisories: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    # Bumped on every change; a form carries it back so a stale form changes nothing.
    version: Mapped[int] = mapped_column(default=1)

    warning: Mapped[Warning] = relationship(back_populates="revisions", foreign_keys=[warning_id])
    supersedes: Mapped[Revision | None] = relationship(remote_side="Revision.id")
    level: Mapped[Level] = relationship()
    consultation: Mapped[Consultation | None] = relationship()
    townships: Mapped[list[Township]] = relationship(secondary=revision_townships, order_by="Township.code")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    approval_forms: Mapped[list[ApprovalForm]] = relationship(
        back_populates="revision", order_by="ApprovalForm.filed_at"
    )
    snapshot: Mapped[Snapshot | None] = relationship(back_populates="revision", uselist=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def approval_form(self) -> ApprovalForm | None:
        return self.approval_forms[-1] if self.approval_forms else None

    @property
    def publication_time(self) -> datetime:
        """When it was published; for revisions known to be published."""
        if self.published_at is None:
            raise LookupError(f"revision {self.id} is not published")
        return self.published_at

    @property
    def frozen_content(self) -> dict[str, Any]:
        """What the approver confirmed, which is what every channel sends."""
        if self.snapshot is None:
            raise LookupError(f"revision {self.id} was never approved: it has no frozen content")
        return self.snapshot.content


class ApprovalForm(Base):
    """预警信息发布（解除）审批表 (附件5): filed on each submission, signed by the approver."""

    __tablename__ = "approval_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    level_label: Mapped[str] = mapped_column(String(100))  # 预警信息级别
    planned_publish_at: Mapped[datetime | None]  # 发布（解除）时间
    basis: Mapped[str] = mapped_column(Text)  # 预警发布（解除）信息依据
    main_content: Mapped[str] = mapped_column(Text)  # 预警发布（解除）信息主要内容
    department_opinion: Mapped[str] = mapped_column(Text)  # 申请发布（解除）部门领导意见
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(20))  # approved | returned | rejected
    leader_opinion: Mapped[str] = mapped_column(Text, default="")  # 县政府领导审批意见
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    audience_size_confirmed: Mapped[int | None]

    revision: Mapped[Revision] = relationship(back_populates="approval_forms")
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Snapshot(Base):
    """The exact content frozen at approval; publication and every channel render from it only."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[datetime]

    revision: Mapped[Revision] = relationship(back_populates="snapshot")
