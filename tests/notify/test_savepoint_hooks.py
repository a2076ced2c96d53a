"""After-commit work waits for the outermost commit: a savepoint inside the publish transaction
(the CAP identifier, a tip-off's duplicate check) signals after_commit too, and acting on it
would wake executors before the outbox rows exist. (The public site's export is asked for by a
row in the transaction itself, notify/public/export_requests.py: no hook is involved.)"""

from __future__ import annotations

from notify.dispatch import wakeup
from notify.extensions import db


def test_executors_are_woken_by_the_outer_commit_only(app):
    woken: list[int] = []
    waker = lambda: woken.append(1)  # noqa: E731
    wakeup.register(waker)
    try:
        db.session.execute(db.text("SELECT 1"))
        wakeup.after_commit(db.session)
        db.session.begin_nested().commit()
        assert woken == []
        savepoint = db.session.begin_nested()
        savepoint.rollback()  # a savepoint's rollback does not undo the outer transaction's rows
        assert woken == []
        db.session.commit()
        assert woken == [1]
    finally:
        wakeup.unregister(waker)
