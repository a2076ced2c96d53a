"""People who log in to the console, and the roles the plan gives them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

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
    # Second factor (TOTP, RFC 6238): the confirmed secret, and the last time step accepted, so
    # that a code seen over someone's shoulder cannot be used a second time.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The key shown while enrolling, until a code confirms it: kept here, never in the cookie.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column()
    # Set by an administrator: the user cannot use the console until they have enrolled.
    totp_required: Mapped[bool] = mapped_column(default=False)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    member_unit: Mapped[MemberUnit | None] = relationship()

    def set_password(self, password: str) -> None:
        # Checked only through notify.accounts.passwords.verify, which costs the same for unknown users.
        self.password_hash = generate_password_hash(password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login and on every request
        return self.active

    @property
    def totp_enrolled(self) -> bool:
        return bool(self.totp_secret)


class ConsoleSession(Base):
    """One log-in on one browser. The cookie carries a random token whose hash is kept here, so a
    session can be ended on the server (log-out, password change, deactivation) and expires when
    idle or too old, whatever the browser still holds."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column()
    end_reason: Mapped[str] = mapped_column(String(30), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """A refused log-in (wrong password or code), counted per account name and per client address
    in a sliding window; kept in the database so every worker process sees the same count."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_failed_at", "username", "failed_at"),
        Index("ix_login_failures_ip_failed_at", "ip", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(default=clock.now)
