"""Member units during a response: who is on duty, the tasks they were sent, their daily reports.

Plan §5.4 / §7.1: during a response every member unit reports the previous day's measures to
the office by 10:00. A response day is one such 10:00 deadline of one warning; everything is
kept per response day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, MemberUnit
from notify.models.users import User
from notify.models.warnings import Revision, Warning

DUTIES = ("unit_liaison", "office_director")


class DutyContact(Base):
    """A mobile number the platform texts on the plan's behalf.

    附件9 lists only the units' landlines, which take no SMS; each unit names a liaison with a
    mobile. The office director (办公室主任) is escalated to when a deadline is about to pass.
    """

    __tablename__ = "duty_contacts"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "duty", "member_unit_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    duty: Mapped[str] = mapped_column(String(30))  # one of DUTIES
    member_unit_id: Mapped[int | None] = mapped_column(ForeignKey("member_units.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))  # E.164
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    member_unit: Mapped[MemberUnit | None] = relationship()


class UnitTask(Base):
    """The measures of a response level, sent to one member unit when the response starts."""

    __tablename__ = "unit_tasks"
    __table_args__ = (UniqueConstraint("revision_id", "member_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    member_unit_id: Mapped[int] = mapped_column(ForeignKey("member_units.id"))
    sent_at: Mapped[datetime]
    messages: Mapped[int] = mapped_column(default=0)

    revision: Mapped[Revision] = relationship()
    member_unit: Mapped[MemberUnit] = relationship()


class ResponseDay(Base):
    """One 10:00 deadline of one response: reports due on `day` about the day before."""

    __tablename__ = "response_days"
    __table_args__ = (UniqueConstraint("warning_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), index=True)
    day: Mapped[date] = mapped_column(Date)  # local (Asia/Shanghai) date of the 10:00 deadline
    due_at: Mapped[datetime]
    level_id: Mapped[int | None] = mapped_column(ForeignKey("levels.id"))
    links_sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    reminded_units: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None]
    # Frozen at 10:00: how many had filed and which units had not, as the office saw it then.
    filed_at_close: Mapped[int | None]
    missing_at_close: Mapped[str] = mapped_column(Text, default="")

    warning: Mapped[Warning] = relationship()
    reports: Mapped[list[DailyReport]] = relationship(
        back_populates="response_day", order_by="DailyReport.filed_at"
    )


class DailyReport(Base):
    """A member unit's report of the previous day's measures (one per unit and response day)."""

    __tablename__ = "daily_reports"
    __table_args__ = (UniqueConstraint("response_day_id", "member_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_day_id: Mapped[int] = mapped_column(ForeignKey("response_days.id"), index=True)
    member_unit_id: Mapped[int] = mapped_column(ForeignKey("member_units.id"))
    measures: Mapped[str] = mapped_column(Text)  # 应急措施落实情况
    inspections: Mapped[int] = mapped_column(default=0)  # 检查企业、工地（家次）
    problems_found: Mapped[int] = mapped_column(default=0)  # 发现问题（个）
    problems_fixed: Mapped[int] = mapped_column(default=0)  # 整改到位（个）
    notes: Mapped[str] = mapped_column(Text, default="")
    reporter_name: Mapped[str] = mapped_column(String(100))
    reporter_phone: Mapped[str] = mapped_column(String(40), default="")
    via: Mapped[str] = mapped_column(String(20))  # link | console
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(default=False)

    response_day: Mapped[ResponseDay] = relationship(back_populates="reports")
    member_unit: Mapped[MemberUnit] = relationship()
    filed_by: Mapped[User | None] = relationship()
    attachments: Mapped[list[DailyReportAttachment]] = relationship(
        back_populates="report", order_by="DailyReportAttachment.id", cascade="all, delete-orphan"
    )


class DailyReportAttachment(Base):
    __tablename__ = "daily_report_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("daily_reports.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    storage_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]

    report: Mapped[DailyReport] = relationship(back_populates="attachments")
