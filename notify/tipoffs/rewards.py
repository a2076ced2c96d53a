"""Who may earn a reward: the first real-name reporter of a matter that was verified (§7.3).

A matter is the ticket that was handled plus the tickets linked to it as duplicates. Anonymous
reports are accepted and handled alike, but a reward needs someone to pay, so the first
real-name ticket among them is the one marked eligible, even if an anonymous one came first.
"""

from __future__ import annotations

from sqlalchemy import select

from notify.extensions import db
from notify.models import Reward, Tipoff
from notify.tipoffs.categories import VERIFIED_OUTCOMES


def mark_eligible_reporter(original: Tipoff) -> Tipoff | None:
    if original.outcome not in VERIFIED_OUTCOMES:
        return None
    matter = [original, *db.session.scalars(select(Tipoff).where(Tipoff.duplicate_of_id == original.id))]
    if any(t.reward is not None for t in matter):
        return next(t for t in matter if t.reward is not None)  # the ledger is never rewritten
    named = sorted((t for t in matter if not t.anonymous), key=lambda t: (t.received_at, t.id))
    first = named[0] if named else None
    for t in matter:
        t.reward_eligible = t is first
    return first


def ledger(jurisdiction_id: int) -> list[Reward]:
    return list(
        db.session.scalars(
            select(Reward)
            .join(Tipoff)
            .where(Tipoff.jurisdiction_id == jurisdiction_id)
            .order_by(Reward.proposed_at.desc())
        )
    )
