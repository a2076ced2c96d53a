"""Scheduling and cancelling timed jobs as revisions move, whatever moved them.

The lifecycle knows nothing of timed work (imports flow one way); instead this module listens
to the ORM: a consultation being recorded, a revision's state changing. It notes what happened
and acts just before the transaction commits, so the jobs it adds or removes commit with the
change that caused them (and vanish with a rollback, see notify.scheduling.jobs).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from notify import clock
from notify.models import Consultation, Revision

_KEY = "notify.timed.changes"
_NEW_KEY = "notify.timed.new_consultations"


def _note(session: Session | None, item: tuple) -> None:
    if session is not None:
        session.info.setdefault(_KEY, []).append(item)


@event.listens_for(Revision.state, "set")
def _state_changed(target: Revision, value, oldvalue, _initiator) -> None:
    if value != oldvalue and value in ("pending_approval", "approved", "published"):
        _note(Session.object_session(target), ("revision", target, value))


@event.listens_for(Consultation, "after_insert")
def _consultation_recorded(_mapper, _connection, target: Consultation) -> None:
    # Inserts happen inside the commit's own flush, after before_commit: handled after the flush.
    session = Session.object_session(target)
    if session is not None:
        session.info.setdefault(_NEW_KEY, []).append(target)


@event.listens_for(Session, "after_flush_postexec")
def _consultations_flushed(session: Session, _context) -> None:
    new = session.info.pop(_NEW_KEY, None)
    if new:
        from notify.timed import escalation

        for consultation in new:
            escalation.watch_consultation(consultation, clock.now())


@event.listens_for(Session, "before_commit")
def _act(session: Session) -> None:
    changes = session.info.pop(_KEY, None)
    if not changes:
        return
    from notify import scheduling
    from notify.daily_reports import tasks
    from notify.timed import escalation, publication

    now = clock.now()
    for _kind, obj, state in changes:
        if state == "pending_approval" and obj.consultation_id is not None:
            scheduling.cancel(escalation.approval_form_job(obj.consultation_id))
        elif state == "approved":
            escalation.watch_publication(obj, now)
        elif state == "published":
            scheduling.cancel(escalation.publication_job(obj.id))
            publication.settle_after_publication(obj, now)
            tasks.watch_response_start(obj, now)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    # Only the outermost transaction's end: a savepoint rolled back inside it keeps the notes
    # of what the transaction did before it.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_KEY, None)
        session.info.pop(_NEW_KEY, None)
