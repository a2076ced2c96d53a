"""The record of a timed publication: its schedule row and job, and settling it when the
revision was published some other way. Setting, cancelling and running a timed publication are
use cases above the lifecycle: notify.scheduled_publication.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from notify import scheduling
from notify.extensions import db
from notify.models import PublicationSchedule, Revision


def job_id(revision_id: int) -> str:
    return f"publish:{revision_id}"


def schedule_of(revision: Revision) -> PublicationSchedule | None:
    return db.session.scalar(
        select(PublicationSchedule).where(PublicationSchedule.revision_id == revision.id)
    )


def settle_after_publication(revision: Revision, now: datetime) -> None:
    """Published some other way (by hand): the timed publication has nothing left to do."""
    row = schedule_of(revision)
    if row is None or row.state == "publishing":
        return  # no timed publication, or this is it: a running job must not remove itself
    if row.state == "scheduled":
        row.state, row.finished_at = "done_by_hand", now
        row.note = "published before the set time"
    scheduling.cancel(job_id(revision.id))
