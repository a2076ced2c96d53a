"""People who log in to the console, and the roles the plan gives them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, MemberUnit


class Role(StrEnum):
    OFFICE_STAFF = "office_staff"  # 应急指挥部办公室: drafts, files the approval form, publishes
    DEPUTY_COMMANDER = "deputy_commander"  # 副总指挥: approves yellow and orange
    COMMANDER = "commander"  # 总指挥: approves red
    PUBLICITY = "publicity"  # 宣传报道组: watches delivery
    MEMBER_UNIT = "member_unit"  # 成员单位: receives tasks, files daily reports
    ADMIN = "admin"  # 系统管理员: directory, users, levels


APPROVER_ROLES = (Role.DEPUTY_COMMANDER, Role.COMMANDER)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str] = mapped_column(String(40), default="")
    member_unit_id: Mapped[int | None] = mapped_column(ForeignKey("member_units.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    member_unit: Mapped[MemberUnit | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login and on every request
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles
