"""The public site's static export as data: what asked for it and how the last attempts went.

A request is a row written in the transaction of the change that made some public page out of
date; it commits with that change or not at all. The export runner takes every request there is,
exports once and deletes them (many publications, one export). The state is a single row: the
identity of this database (written into the export folder, so that no other database's export
ever overwrites this one's), the lease of the process exporting now, and the current failure
streak that the console shows as an alarm.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from notify.models.base import Base

STATE_ID = 1  # the one row of site_export_state


class SiteExportRequest(Base):
    __tablename__ = "site_export_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # When the public pages stopped being what the export holds: the alarm's "out of date since".
    requested_at: Mapped[datetime] = mapped_column()


class SiteExportState(Base):
    __tablename__ = "site_export_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, made once: the export folder's owner marker names it (notify/public/export_owner.py).
    install_id: Mapped[str] = mapped_column(String(32))
    lease_owner: Mapped[str] = mapped_column(String(100), default="")
    lease_until: Mapped[datetime | None] = mapped_column()
    last_exported_at: Mapped[datetime | None] = mapped_column()
    # The failure streak: empty when the last export succeeded.
    failing_since: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    retry_at: Mapped[datetime | None] = mapped_column()
