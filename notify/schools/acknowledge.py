"""Recording that a school confirmed its notice: by its link, or by replying 1 (收到) by SMS.

A confirmation is one UPDATE that only matches a notice not yet confirmed, so a second press, a
re-pushed reply or two people at once record the first and change nothing after it. A notice
can be confirmed while its revision is the warning's current one and its episode has not ended;
after that its link and replies change nothing and say so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from notify import audit
from notify.extensions import db
from notify.models import Revision, School, SchoolNotice
from notify.row_counts import rows_written
from notify.schools import tokens

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
SUPERSEDED = "superseded"
ENDED = "ended"
NOT_REQUIRED = "not_required"

# What counts as "received" in a reply: 1 or 收到, give or take spaces, punctuation and
# full-width digits (a phone's Chinese keyboard types １).
_ACK_REPLIES = {"1", "收到", "1收到", "收到1", "已收到", "收到了"}
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def is_ack_reply(content: str) -> bool:
    text = _NOISE.sub("", unicodedata.normalize("NFKC", content or ""))
    return text in _ACK_REPLIES


def by_token(token: str) -> SchoolNotice | None:
    ids = tokens.read(token)
    if ids is None:
        return None
    revision_id, school_id = ids
    return db.session.scalar(
        select(SchoolNotice).where(
            SchoolNotice.revision_id == revision_id, SchoolNotice.school_id == school_id
        )
    )


def revision_state(revision: Revision, now: datetime) -> str:
    """OPEN while the revision is what the warning says now; else why it is not."""
    current = revision.warning.current
    if current is None or current.id != revision.id:
        return SUPERSEDED
    if revision.warning.status != "active" or (revision.episode_end and revision.episode_end <= now):
        return ENDED
    return OPEN


def state(notice: SchoolNotice, now: datetime) -> str:
    if notice.acknowledged_at is not None:
        return ACKNOWLEDGED
    if not notice.requires_ack:
        return NOT_REQUIRED
    return revision_state(notice.revision, now)


def acknowledge(notice: SchoolNotice, *, via: str, by: str, now: datetime, phone: str | None = None) -> bool:
    """Record the confirmation if the notice is open; True if this call recorded it."""
    if state(notice, now) != OPEN:
        return False
    result = db.session.execute(
        update(SchoolNotice)
        .where(SchoolNotice.id == notice.id, SchoolNotice.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by=by[:100], acknowledged_via=via, acknowledged_phone=phone)
        .execution_options(synchronize_session=False)
    )
    if not rows_written(result):
        return False
    db.session.refresh(notice)
    revision = notice.revision
    audit.record(
        "school.acknowledged",
        actor_name=by[:100] or notice.school.name,
        subject=notice,
        warning_id=revision.warning_id,
        summary=f"{notice.school.name} confirmed {revision.warning.reference} #{revision.sequence} by {via}",
        detail={
            "school_id": notice.school_id,
            "revision_id": revision.id,
            "via": via,
            "after_reminder": notice.reminded_at is not None,
        },
        at=now,
    )
    return True


@dataclass(frozen=True)
class ReplyOutcome:
    outcome: str  # acknowledged | already | no_notice | ignored
    notice_id: int | None = None


def by_reply(phone: str, content: str, now: datetime) -> ReplyOutcome:
    """An SMS reply from a school's head or duty phone."""
    schools = list(
        db.session.scalars(select(School).where(or_(School.head_phone == phone, School.duty_phone == phone)))
    )
    if not schools:
        return ReplyOutcome("no_notice")
    # The school's latest notice that asks for a confirmation is the one a reply answers.
    notice = db.session.scalar(
        select(SchoolNotice)
        .where(SchoolNotice.school_id.in_([s.id for s in schools]), SchoolNotice.requires_ack.is_(True))
        .order_by(SchoolNotice.created_at.desc(), SchoolNotice.id.desc())
        .limit(1)
    )
    if notice is None:
        return ReplyOutcome("no_notice")
    if not is_ack_reply(content):
        return ReplyOutcome("ignored", notice.id)
    if notice.acknowledged_at is not None:
        return ReplyOutcome("already", notice.id)
    if state(notice, now) != OPEN:
        return ReplyOutcome("no_notice", notice.id)
    school = notice.school
    who = school.head_name if phone == school.head_phone else school.duty_name
    recorded = acknowledge(notice, via="sms", by=who or phone[-4:], now=now, phone=phone)
    return ReplyOutcome("acknowledged" if recorded else "already", notice.id)
