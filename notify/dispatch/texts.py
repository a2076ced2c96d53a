"""The text a delivery carries: its own body, or its revision's frozen snapshot text.

A snapshot never changes after approval, so a process may keep the texts it has read. Each
gateway names the text it sends (`text_key`): SMS the short text, robots the markdown, partner
webhooks a JSON document made from the snapshot.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from notify.dispatch.webhook_payload import json_document
from notify.extensions import db
from notify.lifecycle.snapshot import robot_markdown
from notify.models import Snapshot

_cache: dict[tuple[int, str], dict[str, str]] = {}
_lock = threading.Lock()
_MAX = 256


def _content(revision_id: int) -> dict:
    content = db.session.scalar(select(Snapshot.content).where(Snapshot.revision_id == revision_id))
    if content is None:
        raise LookupError(f"revision {revision_id} has no snapshot; it cannot have deliveries")
    return content


def _render(revision_id: int, key: str) -> dict[str, str]:
    content = _content(revision_id)
    if key == "sms":
        return dict(content["texts"]["sms"])
    if key == "robot":
        frozen = content["texts"].get("robot")
        if frozen:
            return dict(frozen)
        return robot_markdown(content)
    if key == "webhook":
        document = json_document(revision_id, content)
        return {"zh": document}
    raise KeyError(f"no text {key!r} in a snapshot")


def channel_texts(revision_id: int, key: str = "sms") -> dict[str, str]:
    with _lock:
        texts = _cache.get((revision_id, key))
    if texts is None:
        texts = _render(revision_id, key)
        with _lock:
            if len(_cache) >= _MAX:
                _cache.clear()
            _cache[(revision_id, key)] = texts
    return texts


def clear_cache() -> None:
    """Forget the texts read (tests reuse revision ids after emptying the tables)."""
    with _lock:
        _cache.clear()


def body_for(revision_id: int | None, locale: str, body: str | None, key: str = "sms") -> str:
    if body is not None:
        return body
    if revision_id is None:
        raise LookupError("a delivery without its own body must belong to a revision")
    texts = channel_texts(revision_id, key)
    return texts.get(locale) or texts["zh"]
