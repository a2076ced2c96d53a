"""Publication at a set time: an approved revision published by itself at its response start.

The office sets it in the console (audited). At the time, the job publishes through the one
publication use case (notify.publication) as the system actor, like any publication. If someone
published by hand meanwhile, or the revision can no longer be published, the job changes
nothing and says so in the record.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from notify import audit, clock, publication, scheduling
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, LifecycleError, NotPermitted, TransitionNotAllowed
from notify.lifecycle.transitions import OFFICE_ROLES
from notify.models import PublicationSchedule, Revision, User
from notify.timed.publication import job_id, schedule_of
from notify.timed.system import system_actor
from notify.timed.zone import hm


def schedule(revision: Revision, actor: User, now: datetime | None = None) -> PublicationSchedule:
    """Set (or set again) an approved revision to publish at its response start time."""
    now = now or clock.now()
    if actor.role not in OFFICE_ROLES:
        raise NotPermitted(_l("Only the command office publishes warnings."))
    if revision.state != "approved":
        raise TransitionNotAllowed(_l("Only an approved revision can be set to publish later."))
    run_at = revision.response_start_at
    if run_at is None:
        raise InvalidProposal(
            {"response_start_at": _l("This revision has no response start time to publish at.")}
        )
    if run_at <= now:
        raise TransitionNotAllowed(_l("Its response start time has passed; publish it now instead."))
    row = schedule_of(revision)
    if row is None:
        row = PublicationSchedule(revision_id=revision.id, run_at=run_at, set_by_id=actor.id, set_at=now)
        db.session.add(row)
    row.run_at, row.state, row.set_by_id, row.set_at = run_at, "scheduled", actor.id, now
    row.finished_at, row.note = None, ""
    db.session.flush()
    audit.record(
        "revision.publication_scheduled",
        actor=actor,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence} to publish at {hm(run_at)}",
        detail={"run_at": run_at.isoformat()},
        at=now,
    )
    scheduling.schedule_once(publish_when_due, run_at, job_id=job_id(revision.id), revision_id=revision.id)
    return row


def cancel(revision: Revision, actor: User, now: datetime | None = None) -> None:
    now = now or clock.now()
    if actor.role not in OFFICE_ROLES:
        raise NotPermitted(_l("Only the command office publishes warnings."))
    row = schedule_of(revision)
    if row is None or row.state != "scheduled":
        raise TransitionNotAllowed(_l("This revision is not set to publish later."))
    row.state, row.finished_at = "cancelled", now
    audit.record(
        "revision.publication_unscheduled",
        actor=actor,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence}: timed publication cancelled",
        at=now,
    )
    scheduling.cancel(job_id(revision.id))


@scheduling.task
def publish_when_due(revision_id: int) -> None:
    now = clock.now()
    revision = db.session.get(Revision, revision_id)
    row = schedule_of(revision) if revision is not None else None
    if revision is None or row is None or row.state != "scheduled":
        return  # cancelled or settled since; nothing to do, and nothing worth a record
    if revision.state != "approved":
        _not_published(
            row,
            revision,
            now,
            note=f"revision is {revision.state}",
            action="revision.scheduled_publication_skipped",
            why=f"not published at the set time, it is {revision.state}",
        )
        return
    actor = system_actor(revision.warning.jurisdiction)
    # So that publishing's own settling (notify.timed.publication.settle_after_publication) does not
    # take this for a publication by hand; rolled back with it if publishing is refused.
    row.state = "publishing"
    try:
        publication.publish(revision, actor, now=now)
    except (LifecycleError, StaleDataError) as err:
        # publish() rolled back: read the schedule again in the fresh transaction.
        again = schedule_of(revision)
        if again is not None:
            note = str(getattr(err, "message", err))
            _not_published(
                again,
                revision,
                now,
                note=note,
                action="revision.scheduled_publication_failed",
                why=f"the timed publication was refused: {note}",
            )
        return
    row.state, row.finished_at = "published", now
    audit.record(
        "revision.published_on_schedule",
        actor=actor,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence} published at the set "
        f"time {hm(row.run_at)}",
        detail={"set_by": row.set_by.display_name, "run_at": row.run_at.isoformat()},
        at=now,
    )


def _not_published(
    row: PublicationSchedule, revision: Revision, now: datetime, *, note: str, action: str, why: str
) -> None:
    row.state, row.finished_at, row.note = "failed", now, note
    audit.record(
        action,
        actor_name="scheduler",
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence}: {why}",
        at=now,
    )
