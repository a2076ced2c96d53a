"""A screen's feed: what it should show now, laid out for its profile, with a version.

The version rises whenever what the screen should show changes. A publication bumps it for
every screen of the area in the publishing transaction (publish.py); a change that happens by
the clock alone (a warning's episode ends, a lifting has been shown long enough) is noticed
when the feed is next built: its content digest differs from the one stored for the current
version, so the version rises then, once, under a compare-and-set. Gateways poll, so a change
nobody fetches needs no version yet.

Two renderings of the same layout: JSON, and a GBK plain-text variant for controllers that take
nothing else (Content-Type: text/plain; charset=GBK, CRLF line ends, every page exactly the
screen's number of lines).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, insert, or_, select, update

from notify.extensions import db
from notify.models import Revision, Warning
from notify.models.screens import Screen, ScreenFeedVersion
from notify.row_counts import rows_written
from notify.screens import colours, content, wrap

FORMAT = 1
DEFAULT_LIFT_NOTICE_HOURS = 12
PAGE_SECONDS = 6
# Text cells below the header line under which a board shows the essentials only.
SMALL_BOARD_CELLS = 24


def lift_notice() -> timedelta:
    return timedelta(
        hours=float(current_app.config.get("SCREEN_LIFT_NOTICE_HOURS", DEFAULT_LIFT_NOTICE_HOURS))
    )


def _covers(snapshot: dict[str, Any], township_code: str) -> bool:
    area = snapshot.get("area") or {}
    if area.get("scope", "county") == "county":
        return True
    return any(t.get("code") == township_code for t in area.get("townships") or [])


def current_revisions(screen: Screen, now: datetime) -> list[Revision]:
    """The published revision each warning shows on this screen now (at most one per warning)."""
    latest = (
        select(Revision.warning_id, func.max(Revision.sequence).label("sequence"))
        .join(Warning, Warning.id == Revision.warning_id)
        .where(
            Revision.state == "published",
            Warning.jurisdiction_id == screen.jurisdiction_id,
            Warning.status.in_(("active", "lifted")),
            Warning.is_exercise.is_(screen.is_test),
        )
        .group_by(Revision.warning_id)
        .subquery()
    )
    candidates = db.session.scalars(
        select(Revision)
        .join(
            latest, and_(Revision.warning_id == latest.c.warning_id, Revision.sequence == latest.c.sequence)
        )
        .where(or_(Revision.action != "lift", Revision.published_at > now - lift_notice()))
        .order_by(Revision.id)
    ).all()
    code = screen.township.code
    shown = []
    for revision in candidates:
        snap = revision.frozen_content
        if revision.action == "lift":
            # The lifting is shown wherever the lifted warning was shown.
            previous = revision.supersedes.frozen_content if revision.supersedes else {}
            if not (_covers(snap, code) or (previous and _covers(previous, code))):
                continue
        else:
            end = (snap.get("content") or {}).get("episode_end")
            if end and datetime.fromisoformat(end) <= now:
                continue
            if not _covers(snap, code):
                continue
        shown.append(revision)
    return shown


def _profile(screen: Screen) -> dict[str, Any]:
    return {
        "chars_per_line": screen.chars_per_line,
        "lines": screen.lines,
        "colours": screen.colours,
        "vendor": screen.vendor,
    }


def layout(screen: Screen, items: list[content.Item]) -> dict[str, Any]:
    """The feed without its version: deterministic for the same screen and items."""
    if not items:
        items = [content.idle(screen.jurisdiction.name_zh)]
    items = sorted(items, key=lambda i: i.rank, reverse=True)
    pages: list[dict[str, Any]] = []
    described: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        header = wrap.fit(item.headers, screen.chars_per_line)
        paragraphs = item.paragraphs
        if screen.chars_per_line * max(screen.lines - 1, 1) >= SMALL_BOARD_CELLS:
            paragraphs = paragraphs + item.extras
        body = wrap.wrap_paragraphs(paragraphs, screen.chars_per_line)
        item_pages = wrap.paginate(header, body, screen.lines)
        fallback = colours.fallback(item.colour, screen.colours)
        described.append(
            {
                **item.meta,
                "state": item.state,
                "header": header,
                "level": {
                    **item.level,
                    "fallback_colour": colours.fallback(item.level["colour"], screen.colours),
                },
                "first_page": len(pages),
                "page_count": len(item_pages),
            }
        )
        for lines in item_pages:
            pages.append(
                {"item": index, "lines": lines, "colour": item.colour.upper(), "fallback_colour": fallback}
            )
    top = described[0]
    return {
        "format": FORMAT,
        "screen": {
            "id": screen.id,
            "name": screen.name,
            "township": screen.township.name_zh,
            "profile": _profile(screen),
        },
        "state": top["state"],
        "level": top["level"],
        "items": described,
        "pages": pages,
        "page_seconds": PAGE_SECONDS,
    }


@dataclass
class Feed:
    version: int
    data: dict[str, Any]

    def json_bytes(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
            "utf-8"
        )

    def text_bytes(self) -> bytes:
        return render_text(self.data).encode("gbk")


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _settle_version(screen: Screen, digest: str, now: datetime) -> None:
    """Make screen.feed_version the version of this content, raising it if the content changed
    by the clock alone. A concurrent poll or publication may win the race: then look again."""
    table = Screen.__table__
    for _attempt in range(5):
        if screen.feed_digest == digest:
            return
        values: dict[str, Any]
        if screen.feed_digest is None:
            # Bumped by a publication (or a console edit): this is that version's content.
            values, reason = {"feed_digest": digest}, None
        else:
            values, reason = (
                {"feed_digest": digest, "feed_version": screen.feed_version + 1, "feed_changed_at": now},
                "expiry",
            )
        old = (
            table.c.feed_digest.is_(None)
            if screen.feed_digest is None
            else table.c.feed_digest == screen.feed_digest
        )
        won = rows_written(
            db.session.execute(
                update(table)
                .where(table.c.id == screen.id, table.c.feed_version == screen.feed_version, old)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        )
        if won:
            if reason:
                db.session.execute(
                    insert(ScreenFeedVersion.__table__).values(
                        screen_id=screen.id,
                        version=values["feed_version"],
                        revision_id=None,
                        reason=reason,
                        created_at=now,
                    )
                )
            db.session.commit()
            db.session.refresh(screen)
            return
        db.session.rollback()
        db.session.refresh(screen)
    raise RuntimeError(f"screen {screen.id}: feed version kept changing under us")


def current(screen: Screen, now: datetime) -> Feed:
    items = []
    for revision in current_revisions(screen, now):
        items.append(
            content.from_snapshot(
                revision.frozen_content,
                exercise=revision.warning.is_exercise,
                published_at=revision.published_at,
            )
        )
    data = layout(screen, items)
    _settle_version(screen, _digest(data), now)
    tz = ZoneInfo(screen.jurisdiction.timezone or "Asia/Shanghai")
    changed = screen.feed_changed_at or screen.created_at
    return Feed(
        version=screen.feed_version,
        data={
            **data,
            "version": screen.feed_version,
            "changed_at": changed.astimezone(tz).isoformat(timespec="seconds"),
        },
    )


def etag(body: bytes) -> str:
    """A strong validator: it changes with every byte of the body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def render_text(data: dict[str, Any]) -> str:
    """The plain-text variant: a few KEY value lines, then each page as PAGE n colour fallback
    followed by exactly `lines` lines of text."""
    profile = data["screen"]["profile"]
    out = [
        f"LEDFEED {data['format']}",
        f"SCREEN {data['screen']['id']}",
        f"VERSION {data['version']}",
        f"CHANGED {data['changed_at']}",
        f"STATE {data['state']}",
        f"LEVEL {data['level']['code']} {data['level']['words']}",
        f"SIZE {profile['chars_per_line']}x{profile['lines']}",
        f"COLOURS {profile['colours']}",
        f"PAGES {len(data['pages'])}",
        f"PAGE-SECONDS {data['page_seconds']}",
    ]
    for number, page in enumerate(data["pages"], start=1):
        out.append(f"PAGE {number} {page['colour']} {page['fallback_colour']}")
        out.extend(page["lines"])
    return "\r\n".join(out) + "\r\n"
