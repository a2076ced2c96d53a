"""CAP 1.2 messages: the identifier each published revision goes out under, and uploaded CAP files.

A CAP identifier must never change once a document has left the platform (aggregators and
partners quote it in `references`), so it is assigned once, at publication, and kept here with
the sender and sent time it was issued with.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.users import User
from notify.models.warnings import Revision


class CapMessage(Base):
    """The CAP header of one published revision: `<identifier>`, `<sender>`, `<sent>`."""

    __tablename__ = "cap_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), unique=True)
    # GB/T 2260 code of the county + local time of publication + sequence within the local day,
    # e.g. 140322-20261123143000-0002 (GB/T 35965.1 in spirit).
    identifier: Mapped[str] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(100))
    sent: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    revision: Mapped[Revision] = relationship()


class CapImport(Base):
    """One CAP file uploaded in the console, accepted as a draft or rejected with the reason."""

    __tablename__ = "cap_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    # The document's own header, when it could be read.
    identifier: Mapped[str] = mapped_column(String(200), default="")
    sender: Mapped[str] = mapped_column(String(200), default="")
    msg_type: Mapped[str] = mapped_column(String(20), default="")
    outcome: Mapped[str] = mapped_column(String(20))  # drafted | rejected
    error: Mapped[str] = mapped_column(Text, default="")
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))

    uploaded_by: Mapped[User] = relationship()
    revision: Mapped[Revision | None] = relationship()
