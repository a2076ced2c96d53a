"""What the office writes about a response and a drill, beside what the record computes.

附件6's figures (level, times, durations, counts) are never stored here: they are computed from
the revisions each time (notify.records.statistics). Only the parts a person writes are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.users import User
from notify.models.warnings import Warning


class ResponseSummary(Base):
    """The summary fields of 附件6 the office fills in."""

    __tablename__ = "response_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), unique=True)
    measures_summary: Mapped[str] = mapped_column(Text, default="")  # 应急响应措施总结
    effects: Mapped[str] = mapped_column(Text, default="")  # 取得的成效
    problems: Mapped[str] = mapped_column(Text, default="")  # 发现的问题
    suggestions: Mapped[str] = mapped_column(Text, default="")  # 改进建议
    filled_by: Mapped[str] = mapped_column(String(100), default="")  # 填表人
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    warning: Mapped[Warning] = relationship()


class WrittenReport(Base):
    """The written report to the county government and the city office (§5.4), drafted from the
    record and edited by the office before it goes out."""

    __tablename__ = "written_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    drafted_at: Mapped[datetime]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime | None]

    warning: Mapped[Warning] = relationship()
    edited_by: Mapped[User | None] = relationship()


class DrillRecord(Base):
    """应急演练记录表 (附件7) of an exercise warning."""

    __tablename__ = "drill_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), unique=True)
    location: Mapped[str] = mapped_column(String(200), default="")  # 演练地点
    organiser: Mapped[str] = mapped_column(String(200), default="")  # 组织部门
    commander: Mapped[str] = mapped_column(String(100), default="")  # 总指挥
    participants: Mapped[str] = mapped_column(Text, default="")  # 参加部门和人员
    method: Mapped[str] = mapped_column(String(200), default="")  # 演练方式
    # The form's tick boxes, field → chosen option code (see notify.records.drills.ASSESSMENT).
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[str] = mapped_column(Text, default="")  # 存在问题
    improvements: Mapped[str] = mapped_column(Text, default="")  # 改进措施
    recorder: Mapped[str] = mapped_column(String(100), default="")  # 记录人
    reviewer: Mapped[str] = mapped_column(String(100), default="")  # 审核人
    recorded_at: Mapped[datetime | None]  # 记录时间
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    warning: Mapped[Warning] = relationship()


class EffectEvaluation(Base):
    """应急效果评估表 (附件8) of an exercise (or of a real response)."""

    __tablename__ = "effect_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), unique=True)
    organiser: Mapped[str] = mapped_column(String(200), default="")  # 组织单位
    lead: Mapped[str] = mapped_column(String(100), default="")  # 负责人
    members: Mapped[str] = mapped_column(Text, default="")  # 评估组成员
    evaluated_at: Mapped[datetime | None]  # 评估时间
    content: Mapped[str] = mapped_column(Text, default="")  # 评估内容
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    warning: Mapped[Warning] = relationship()
