"""An enterprise confirms its duty by its link: first that it received it, then that its
measures are in place (seed 000 §5.6: within 2 h of the order), with a note and a photo if it
wishes.

One table says which step may follow which (sent → received → in place; "in place" straight
from "sent" records the receipt with it), one guard says whether the duty can still be acted
on: a duty replaced by a newer revision, one whose warning is over, a release and an exemption
take nothing, and say why. Each step is one UPDATE that only matches a duty not yet at it, so
a second press, or two people at once, record the first and change nothing after it
(ALREADY). Every step recorded is audited; the last enterprise of a revision in place stops
its escalation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from notify import audit, scheduling
from notify.ack_links import ENTERPRISE_DUTY
from notify.enterprises import messages
from notify.extensions import db
from notify.models import EnterpriseDuty, Revision
from notify.row_counts import rows_written
from notify.tipoffs import photos, storage

# Where a duty has got to.
SENT = "sent"
RECEIVED = "received"
IN_PLACE = "in_place"
# Whether it can still be acted on.
OPEN = "open"
SUPERSEDED = "superseded"
ENDED = "ended"
RELEASED = "released"
NOT_REQUIRED = "not_required"
# Outcomes of an action besides a refusal above.
RECORDED = "recorded"
ALREADY = "already"

RECEIVE = "receive"
PUT_IN_PLACE = "in_place"
ACTIONS = (RECEIVE, PUT_IN_PLACE)
TRANSITIONS = {
    (SENT, RECEIVE): RECEIVED,
    (SENT, PUT_IN_PLACE): IN_PLACE,  # acting on a duty shows it arrived
    (RECEIVED, PUT_IN_PLACE): IN_PLACE,
}
_ORDER = (SENT, RECEIVED, IN_PLACE)
MAX_NOTE_CHARS = 500
PHOTO_FOLDER = "duties"  # beside the tip-offs' photos, never served as files


@dataclass(frozen=True)
class Outcome:
    outcome: str  # RECORDED, ALREADY, or the standing that refused it
    progress: str  # where the duty is after the call

    @property
    def recorded(self) -> bool:
        return self.outcome == RECORDED


def by_token(token: str) -> EnterpriseDuty | None:
    """The duty an authentic /d/ link names; None for a forged, cut or unknown one."""
    ids = ENTERPRISE_DUTY.read(token)
    if ids is None:
        return None
    return db.session.scalar(
        select(EnterpriseDuty).where(
            EnterpriseDuty.revision_id == ids[0], EnterpriseDuty.enterprise_id == ids[1]
        )
    )


def token_of(duty: EnterpriseDuty) -> str:
    return ENTERPRISE_DUTY.make(duty.revision_id, duty.enterprise_id)


def revision_state(revision: Revision, now: datetime) -> str:
    """OPEN while the revision is what the warning says now; else why it is not."""
    current = revision.warning.current
    if current is None or current.id != revision.id:
        return SUPERSEDED
    if revision.warning.status != "active" or (revision.episode_end and revision.episode_end <= now):
        return ENDED
    return OPEN


def progress(duty: EnterpriseDuty) -> str:
    if duty.in_place_at is not None:
        return IN_PLACE
    if duty.received_at is not None:
        return RECEIVED
    return SENT


def standing(duty: EnterpriseDuty, now: datetime) -> str:
    """OPEN if the duty can be acted on now; else why not."""
    if duty.kind == "release":
        return RELEASED
    if duty.superseded_at is not None:
        return SUPERSEDED
    state = revision_state(duty.revision, now)
    if state != OPEN:
        return state
    if not duty.requires_ack:
        return NOT_REQUIRED
    return OPEN


def is_late(duty: EnterpriseDuty) -> bool:
    return bool(duty.in_place_at and duty.due_at and duty.in_place_at > duty.due_at)


def _guard(duty: EnterpriseDuty, action: str, now: datetime) -> Outcome | None:
    """The refusal of `action` on the duty now, or None when it may go ahead."""
    if action not in ACTIONS:
        raise ValueError(f"no such action on a duty: {action}")
    at = progress(duty)
    target = IN_PLACE if action == PUT_IN_PLACE else RECEIVED
    if _ORDER.index(at) >= _ORDER.index(target):
        return Outcome(ALREADY, at)
    state = standing(duty, now)
    if state != OPEN:
        return Outcome(state, at)
    if (at, action) not in TRANSITIONS:
        return Outcome(ALREADY, at)
    return None


def receive(duty: EnterpriseDuty, now: datetime) -> Outcome:
    """The enterprise says it received its duty."""
    refused = _guard(duty, RECEIVE, now)
    if refused:
        return refused
    table = EnterpriseDuty.__table__
    result = db.session.execute(
        update(table)
        .where(table.c.id == duty.id, table.c.received_at.is_(None))
        .values(received_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rows_written(result):
        db.session.refresh(duty)
        return Outcome(ALREADY, progress(duty))
    db.session.refresh(duty)
    _audit(duty, "enterprise.duty_received", f"{duty.enterprise.name} received its duty", now, {})
    return Outcome(RECORDED, progress(duty))


def in_place(duty: EnterpriseDuty, now: datetime, note: str = "", photo: bytes | None = None) -> Outcome:
    """The enterprise says its measures are in place. The photo, if any, is checked and
    re-encoded as a tip-off's is (raises photos.PhotoRejected with the reason and status)."""
    refused = _guard(duty, PUT_IN_PLACE, now)
    if refused:
        return refused
    note = (note or "").strip()[:MAX_NOTE_CHARS]
    processed = photos.process(photo, "") if photo else None
    name = f"{PHOTO_FOLDER}/{storage.new_name(now)}" if processed else None
    table = EnterpriseDuty.__table__
    result = db.session.execute(
        update(table)
        .where(table.c.id == duty.id, table.c.in_place_at.is_(None))
        .values(
            in_place_at=now,
            received_at=func.coalesce(table.c.received_at, now),
            in_place_note=note,
            in_place_photo=name,
        )
        .execution_options(synchronize_session=False)
    )
    if not rows_written(result):
        db.session.refresh(duty)
        return Outcome(ALREADY, progress(duty))
    if processed and name:
        storage.write(name, processed.data)  # only once the row is ours: a lost race writes no file
    db.session.refresh(duty)
    _audit(
        duty,
        "enterprise.duty_in_place",
        f"{duty.enterprise.name}: measures in place" + (" (late)" if is_late(duty) else ""),
        now,
        {"late": is_late(duty), "photo": bool(name), "note": bool(note)},
    )
    if not _open_left(duty.revision_id):
        _stop_escalation(duty.revision_id)
    return Outcome(RECORDED, progress(duty))


def _open_left(revision_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(EnterpriseDuty)
            .where(
                EnterpriseDuty.revision_id == revision_id,
                EnterpriseDuty.requires_ack.is_(True),
                EnterpriseDuty.in_place_at.is_(None),
                EnterpriseDuty.superseded_at.is_(None),
            )
        )
    )


def _stop_escalation(revision_id: int) -> None:
    # Named here rather than through notify.enterprises.escalation, which reads this module.
    for stage in (1, 2):
        scheduling.cancel(messages.job_id(revision_id, stage))


def _audit(duty: EnterpriseDuty, action: str, summary: str, now: datetime, detail: dict) -> None:
    revision = duty.revision
    audit.record(
        action,
        actor_name=duty.enterprise.name[:100],
        subject=duty,
        warning_id=revision.warning_id,
        summary=f"{summary} ({revision.warning.reference} #{revision.sequence})",
        detail={"enterprise_id": duty.enterprise_id, "revision_id": revision.id, **detail},
        at=now,
    )
