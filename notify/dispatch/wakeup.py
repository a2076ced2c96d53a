"""Telling the executors there is work, only once the outbox rows are committed.

A worker woken before the commit would find nothing; one woken after a rollback would find
nothing either, harmlessly. So the outbox marks the session, and a session hook fires the
registered wakers after a successful commit.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "notify.dispatch.wake"
_wakers: list[Callable[[], None]] = []


def register(waker: Callable[[], None]) -> None:
    if waker not in _wakers:
        _wakers.append(waker)


def unregister(waker: Callable[[], None]) -> None:
    if waker in _wakers:
        _wakers.remove(waker)


def after_commit(session) -> None:
    session.info[_KEY] = True


@event.listens_for(Session, "after_commit")
def _fire(session: Session) -> None:
    # A savepoint's commit signals after_commit too, before the outbox rows are really committed.
    if session.in_nested_transaction():
        return
    if session.info.pop(_KEY, False):
        for waker in list(_wakers):
            waker()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_KEY, None)
