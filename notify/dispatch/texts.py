"""The text a delivery carries: its own body, or its revision's frozen snapshot text.

A snapshot never changes after approval, so a process may keep the texts it has read.
"""
from __future__ import annotations

import threading

from sqlalchemy import select

from notify.extensions import db
from notify.models import Snapshot

_cache: dict[int, dict[str, str]] = {}
_lock = threading.Lock()
_MAX = 256


def sms_texts(revision_id: int) -> dict[str, str]:
    with _lock:
        texts = _cache.get(revision_id)
    if texts is None:
        content = db.session.scalar(select(Snapshot.content).where(Snapshot.revision_id == revision_id))
        if content is None:
            raise LookupError(f"revision {revision_id} has no snapshot; it cannot have deliveries")
        texts = dict(content["texts"]["sms"])
        with _lock:
            if len(_cache) >= _MAX:
                _cache.clear()
            _cache[revision_id] = texts
    return texts


def body_for(revision_id: int | None, locale: str, body: str | None) -> str:
    if body is not None:
        return body
    texts = sms_texts(revision_id)
    return texts.get(locale) or texts["zh"]
