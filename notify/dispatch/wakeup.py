"""Telling the executors there is work.

wake() calls the registered wakers (the thread executor's event, or the Celery kick) now; a use
case calls it right after its commit (notify.publication does, after publishing).

Routine one-off messages (a tip-off receipt, a reminder, an escalation, a retry from the console)
are written inside transactions that their callers or the scheduler's job wrapper commit, so
after_commit(session) asks for a wake-up once that session's outermost transaction has committed:
a worker woken before the commit would find nothing and, under Celery, not look again.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from notify.wakers import Wakers

_KEY = "notify.dispatch.wake"
_wakers = Wakers()
register = _wakers.register
unregister = _wakers.unregister
wake = _wakers.wake


def after_commit(session) -> None:
    session.info[_KEY] = True


@event.listens_for(Session, "after_commit")
def _fire(session: Session) -> None:
    # A savepoint's commit signals after_commit too, before the rows are really committed.
    if session.in_nested_transaction():
        return
    if session.info.pop(_KEY, False):
        wake()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_KEY, None)
