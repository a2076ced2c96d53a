"""The CAP header of a published revision: identifier, sender and sent, assigned once.

identifier = GB/T 2260 code of the county + local time of publication + the sequence of the
document within that local day, e.g. 140322-20261123143000-0002 (GB/T 35965.1 in spirit: sender
code, time, sequence). It is assigned when the revision is published, in the publishing
transaction, and never changes: later documents quote it in `references`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from notify.extensions import db
from notify.models import CapMessage, Revision


class NotPublished(ValueError):
    """Only a published revision has a CAP document."""


def default_sender(code: str) -> str:
    configured = current_app.config.get("CAP_SENDER", "") if has_app_context() else ""
    # Without a configured sender (an address or domain of the issuing office), the country and
    # the county's GB/T 2260 code identify it uniquely enough for aggregators.
    return configured or f"CN{code}"


def message_for(revision: Revision, *, attempts: int = 10) -> CapMessage:
    """The revision's CAP header, assigning it (in the caller's transaction) if it has none yet.

    Revisions published before CAP existed get theirs on first use; everything published since
    has one from its publication.
    """
    existing = db.session.scalar(select(CapMessage).where(CapMessage.revision_id == revision.id))
    if existing is not None:
        return existing
    if revision.state != "published":
        raise NotPublished(f"revision {revision.id} is {revision.state}, not published")
    return assign(revision, attempts=attempts)


def assign(revision: Revision, *, attempts: int = 10) -> CapMessage:
    """Fix the header of a revision being published (the guard calls this in its transaction)."""
    if revision.published_at is None or revision.snapshot is None:
        raise NotPublished(f"revision {revision.id} has no publication time or snapshot")
    place = revision.snapshot.content["jurisdiction"]
    code, tz = place["code"], place.get("timezone") or "Asia/Shanghai"
    local = revision.published_at.astimezone(ZoneInfo(tz))
    day_prefix = f"{code}-{local:%Y%m%d}"
    for attempt in range(attempts):
        taken = (
            db.session.scalar(
                select(func.count())
                .select_from(CapMessage)
                .where(CapMessage.identifier.like(day_prefix + "%"))
            )
            or 0
        )
        message = CapMessage(
            revision_id=revision.id,
            sender=default_sender(code),
            sent=revision.published_at,
            identifier=f"{code}-{local:%Y%m%d%H%M%S}-{taken + 1:04d}",
        )
        # Two publications of one day racing for the same sequence: the loser takes the next.
        savepoint = db.session.begin_nested()
        try:
            db.session.add(message)
            db.session.flush()
            savepoint.commit()
            return message
        except IntegrityError:
            savepoint.rollback()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def references(revision: Revision) -> list[CapMessage]:
    """Headers of the warning's documents published before this one, oldest first."""
    earlier = [
        r for r in revision.warning.revisions if r.state == "published" and r.sequence < revision.sequence
    ]
    return [message_for(r) for r in earlier]
