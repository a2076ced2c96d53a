"""Who a revision goes to, and how many they are.

Until audiences become configurable data, the audience is the plan's own list of recipients
(§4.2.3): every active member unit and every township in the warning's area that has a phone.
"""
from __future__ import annotations

from sqlalchemy import func, select

from notify.extensions import db
from notify.models import MemberUnit, Revision, Township


def audience_size(revision: Revision) -> int:
    jurisdiction_id = revision.warning.jurisdiction_id
    units = db.session.scalar(
        select(func.count()).select_from(MemberUnit).where(
            MemberUnit.jurisdiction_id == jurisdiction_id,
            MemberUnit.active.is_(True),
            MemberUnit.phone != "",
        )
    )
    if revision.area_scope == "townships":
        townships = sum(1 for t in revision.townships if t.phone)
    else:
        townships = db.session.scalar(
            select(func.count()).select_from(Township).where(
                Township.jurisdiction_id == jurisdiction_id, Township.phone != ""
            )
        )
    return int(units or 0) + int(townships or 0)
