"""LED screens: the registry, each screen's feed versions, and its offline alarms.

A screen is a pull channel: its vendor gateway polls the screen's feed and reports back what it
displayed and that it is alive. Deliveries to a screen have channel "led", gateway "led" and
address "screen:<id>"; no executor claims them, the gateway's reports move them along.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notify import clock
from notify.models.base import Base
from notify.models.jurisdiction import Jurisdiction, Township

# Vendor controllers in use in Chinese counties; none shares a protocol with another, which is
# why each has its own small gateway polling the one feed format.
VENDORS = ("onbon", "huidu", "listen", "novastar")
# full: any RGB colour; two: red and green diodes (and yellow, both lit); one: a single colour.
COLOUR_MODES = ("full", "two", "one")
LED_CHANNEL = "led"
LED_GATEWAY = "led"


def screen_address(screen_id: int) -> str:
    return f"screen:{screen_id}"


class Screen(Base):
    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # Every screen stands in a township; a warning reaches it when its area includes that township.
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300), default="")
    vendor: Mapped[str] = mapped_column(String(20))
    # Counted in full-width (Chinese) characters, as vendors specify a board; a half-width
    # character (digit, Latin letter) takes half a cell. See notify.screens.wrap.
    chars_per_line: Mapped[int]
    lines: Mapped[int]
    colours: Mapped[str] = mapped_column(String(10), default="full")
    heartbeat_interval_s: Mapped[int] = mapped_column(default=60)
    # An exercise screen (e.g. in the command office) shows exercises, marked 演练; public
    # screens never do.
    is_test: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # SHA-256 of the gateway's token; the token itself is shown once, on creation or rotation.
    token_hash: Mapped[str] = mapped_column(String(64))
    token_set_at: Mapped[datetime] = mapped_column(default=clock.now)

    # The feed: its version rises whenever what the screen should show changes.
    feed_version: Mapped[int] = mapped_column(default=0)
    # Digest of the feed content last served for feed_version; NULL right after a bump.
    feed_digest: Mapped[str | None] = mapped_column(String(64))
    feed_changed_at: Mapped[datetime | None]
    last_fetch_at: Mapped[datetime | None]

    # The gateway's reports.
    last_heartbeat_at: Mapped[datetime | None]
    # When the screen counts as offline if nothing is heard: last heartbeat (or creation) plus
    # its interval plus the grace. Kept as a column so "which screens are offline" is one
    # indexed comparison for every screen at once.
    heartbeat_due_at: Mapped[datetime] = mapped_column(index=True)
    # Set when the offline alarm was recorded, cleared when the screen is heard again.
    offline_since: Mapped[datetime | None]
    displayed_version: Mapped[int | None]
    displayed_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    township: Mapped[Township] = relationship()

    @property
    def address(self) -> str:
        return screen_address(self.id)


class ScreenFeedVersion(Base):
    """What made a screen's feed version rise: a published revision, an expiry, a profile edit.

    A gateway's "displayed version N" marks delivered every revision whose version is ≤ N.
    """

    __tablename__ = "screen_feed_versions"
    __table_args__ = (UniqueConstraint("screen_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"))
    version: Mapped[int]
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), index=True)
    # issue, upgrade, downgrade, extend, lift (a revision); expiry; profile; token
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class ScreenAlarm(Base):
    """A screen's gateway fell silent: from when it was due to report to when it was heard again."""

    __tablename__ = "screen_alarms"
    __table_args__ = (Index("ix_screen_alarms_screen_id_ended_at", "screen_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="offline")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    last_heartbeat_at: Mapped[datetime | None]

    screen: Mapped[Screen] = relationship()
