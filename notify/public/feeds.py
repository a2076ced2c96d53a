"""The Atom feeds and CAP documents of the public site, rendered from published snapshots."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from notify.cap.document import cap_xml
from notify.cap.feed import Entry, atom
from notify.cap.identifiers import message_for
from notify.models import Jurisdiction, Revision
from notify.public import queries

CURRENT_PATH = "/feeds/cap.atom"
HISTORY_PATH = "/feeds/history.atom"
HISTORY_SIZE = 100


def _entries(revisions: list[Revision]) -> list[Entry]:
    entries = []
    for r in revisions:
        header = message_for(r)
        entries.append(
            Entry(
                content=r.frozen_content,
                identifier=header.identifier,
                sender=header.sender,
                sent=header.sent,
                exercise=r.warning.is_exercise,
            )
        )
    return entries


def _updated(j: Jurisdiction, entries: list[Entry]) -> datetime:
    # Only publications change a feed, so its time is the last publication (stable between
    # regenerations, which keeps its ETag stable too).
    times = [e.sent for e in entries]
    last = queries.last_publication(j.id)
    if last is not None:
        times.append(last)
    return max(times) if times else j.created_at


def current_feed(j: Jurisdiction, now: datetime) -> bytes:
    """Current alerts: each active warning's latest document, and liftings of the last 24 h."""
    revisions = [r for _, r in queries.active_warnings(j.id)] + queries.recently_lifted(j.id, now)
    entries = _entries(revisions)
    return atom(
        entries,
        base_url=current_app.config["PUBLIC_BASE_URL"],
        path=CURRENT_PATH,
        title=f"{j.name_zh}预警信息 · {j.name_en} warnings (CAP 1.2)",
        subtitle=f"{j.name_zh}当前生效的预警（CAP 1.2） / Warnings in force in {j.name_en}",
        author=f"{j.name_zh}人民政府",
        updated=_updated(j, entries),
        tz=j.timezone,
    )


def history_feed(j: Jurisdiction) -> bytes:
    entries = _entries(queries.published_history(j.id, limit=HISTORY_SIZE))
    return atom(
        entries,
        base_url=current_app.config["PUBLIC_BASE_URL"],
        path=HISTORY_PATH,
        title=f"{j.name_zh}预警信息历史 · {j.name_en} warning history (CAP 1.2)",
        subtitle=f"{j.name_zh}最近发布的{HISTORY_SIZE}条预警信息 / The last {HISTORY_SIZE} "
        f"documents published by {j.name_en}",
        author=f"{j.name_zh}人民政府",
        updated=_updated(j, entries),
        tz=j.timezone,
    )


def cap_document(revision: Revision) -> bytes:
    return cap_xml(revision)
