"""Warnings of the same kind in force over an overlapping area.

Two warnings of one kind over the same township tell the public two things at once (which level
holds? which lifting ends it?), so a second one is saved only when the office confirms it
knowingly. A drill (演练) is compared with drills only: it never reaches the public.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notify.extensions import db
from notify.models import AlertKind, Revision, Township, Warning


def in_force(kind: AlertKind, *, exercise: bool = False) -> list[Warning]:
    """Published, unlifted warnings of this kind, oldest first."""
    return list(
        db.session.scalars(
            select(Warning)
            .where(
                Warning.kind_id == kind.id,
                Warning.status == "active",
                Warning.is_exercise.is_(exercise),
            )
            .options(selectinload(Warning.revisions).selectinload(Revision.townships))
            .order_by(Warning.created_at, Warning.id)
        )
    )


def overlapping(
    kind: AlertKind,
    area_scope: str,
    townships: Iterable[Township],
    *,
    exercise: bool = False,
    exclude: Warning | None = None,
) -> list[Warning]:
    """The warnings of `in_force` whose area shares a township with the given one."""
    wanted = {t.id for t in townships}
    found = []
    for warning in in_force(kind, exercise=exercise):
        current = warning.current
        if current is None or (exclude is not None and warning.id == exclude.id):
            continue
        if area_scope == "county" or current.area_scope == "county":
            found.append(warning)
        elif wanted & {t.id for t in current.townships}:
            found.append(warning)
    return found
