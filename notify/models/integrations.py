"""Integrations: outside systems that use the JSON API, each with its scopes and tokens.

A token is shown once when it is issued; only its SHA-256 is kept, so a copy of the database
cannot be replayed against the API. Write scopes act as a named console user, so the lifecycle
guard's role checks and "nobody decides on their own proposal" hold for API calls too; and
because the administrator who creates an integration is not that user, it stays switched off
until the user, logged in to the console, confirms it (separation of duties).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction
from notify.models.users import User

# read: published warnings and revisions, CAP, deliveries, reference data;
# read_drafts: also what is not published (drafts, pending and approved proposals, approval
# forms, consultations, console usernames); draft: consultations, drafts, edits, submission with
# the approval form, sending an approved revision back for a new approval; publish: publish an
# approved revision. There is no approve scope: approving, returning and rejecting are a
# person's decision in the console, never an integration's.
API_SCOPES = ("read", "read_drafts", "draft", "publish")
WRITE_SCOPES = ("draft", "publish")
# Writing implies reading what one writes: a drafting system sees its drafts.
DRAFT_READING_SCOPES = ("read_drafts", "draft")


class Integration(Base):
    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The console user whose role the guard checks for writes; required when a write scope is held.
    acting_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # The acting user's own confirmation, logged in, and the scopes it covered: a later change of
    # acting user or a scope added since needs their confirmation again.
    consented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consented_at: Mapped[datetime | None]
    consented_scopes: Mapped[list[str] | None] = mapped_column(JSON)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    acting_user: Mapped[User | None] = relationship(foreign_keys=[acting_user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    consented_by: Mapped[User | None] = relationship(foreign_keys=[consented_by_id])
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="integration", order_by="ApiToken.id")

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def reads_drafts(self) -> bool:
        return any(self.has_scope(s) for s in DRAFT_READING_SCOPES)

    @property
    def consented(self) -> bool:
        """The acting user confirmed acting through this integration with every scope it now has."""
        return (
            self.consented_at is not None
            and self.consented_by_id is not None
            and self.consented_by_id == self.acting_user_id
            and set(self.scopes or []) <= set(self.consented_scopes or [])
        )

    @property
    def awaiting_consent(self) -> bool:
        return self.acting_user_id is not None and not self.consented


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so that an administrator can tell which token a system holds.
    prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    integration: Mapped[Integration] = relationship(back_populates="tokens")
    created_by: Mapped[User | None] = relationship()
