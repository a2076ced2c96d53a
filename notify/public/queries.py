"""What the public may see: published revisions of real warnings, never exercises (演练), drafts
or anything pending. The public pages, the static export and the feeds all read through here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from notify.extensions import db
from notify.models import AlertKind, CapMessage, Level, Revision, Warning

# A lifting stays in the current-alerts feed this long, so aggregators see the Cancel.
CANCEL_VISIBLE = timedelta(hours=24)


def _real():
    return Warning.is_exercise.is_(False)


def active_warnings(jurisdiction_id: int) -> list[tuple[Warning, Revision]]:
    """Published, unlifted real warnings with their current revision, highest level first."""
    warnings = db.session.scalars(
        select(Warning)
        .where(Warning.jurisdiction_id == jurisdiction_id, Warning.status == "active", _real())
        .options(selectinload(Warning.revisions).selectinload(Revision.snapshot))
    ).all()
    pairs = [(w, w.current) for w in warnings if w.current is not None]
    pairs.sort(key=lambda p: (-p[1].frozen_content["level"]["rank"], p[1].published_at))
    return pairs


def recently_lifted(jurisdiction_id: int, now: datetime) -> list[Revision]:
    """Liftings published within CANCEL_VISIBLE before `now`, newest first."""
    return list(
        db.session.scalars(
            select(Revision)
            .join(Warning)
            .where(
                Warning.jurisdiction_id == jurisdiction_id,
                _real(),
                Warning.status == "lifted",
                Revision.state == "published",
                Revision.action == "lift",
                Revision.published_at >= now - CANCEL_VISIBLE,
            )
            .options(selectinload(Revision.snapshot))
            .order_by(Revision.published_at.desc())
        )
    )


def published_history(jurisdiction_id: int, limit: int = 200) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .join(Warning)
            .where(Warning.jurisdiction_id == jurisdiction_id, _real(), Revision.state == "published")
            .options(selectinload(Revision.snapshot))
            .order_by(Revision.published_at.desc(), Revision.id.desc())
            .limit(limit)
        )
    )


def last_publication(jurisdiction_id: int) -> datetime | None:
    return db.session.scalar(
        select(func.max(Revision.published_at))
        .join(Warning)
        .where(Warning.jurisdiction_id == jurisdiction_id, _real(), Revision.state == "published")
    )


def public_warning(jurisdiction_id: int, reference: str) -> Warning | None:
    w = db.session.scalar(select(Warning).where(Warning.reference == reference))
    if w is None or w.jurisdiction_id != jurisdiction_id or w.is_exercise or w.current is None:
        return None
    return w


def public_warnings(jurisdiction_id: int) -> list[Warning]:
    """Every real warning with at least one published revision (each has a public page)."""
    return list(
        db.session.scalars(
            select(Warning)
            .where(
                Warning.jurisdiction_id == jurisdiction_id, _real(), Warning.status.in_(("active", "lifted"))
            )
            .options(selectinload(Warning.revisions).selectinload(Revision.snapshot))
            .order_by(Warning.id)
        )
    )


def revision_by_identifier(jurisdiction_id: int, identifier: str) -> Revision | None:
    revision = db.session.scalar(
        select(Revision)
        .join(CapMessage, CapMessage.revision_id == Revision.id)
        .join(Warning)
        .where(
            CapMessage.identifier == identifier,
            Warning.jurisdiction_id == jurisdiction_id,
            _real(),
            Revision.state == "published",
        )
    )
    return revision


def kinds_with_levels(jurisdiction_id: int) -> list[AlertKind]:
    return list(
        db.session.scalars(
            select(AlertKind)
            .where(AlertKind.jurisdiction_id == jurisdiction_id)
            .options(selectinload(AlertKind.levels).selectinload(Level.advisories))
            .order_by(AlertKind.position, AlertKind.id)
        )
    )


def level_by_codes(jurisdiction_id: int, kind_code: str, level_code: str) -> Level | None:
    return db.session.scalar(
        select(Level)
        .join(AlertKind)
        .where(
            AlertKind.jurisdiction_id == jurisdiction_id,
            AlertKind.code == kind_code,
            Level.code == level_code,
        )
    )
