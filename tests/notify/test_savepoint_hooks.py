"""After-commit work waits for the outermost commit: a savepoint inside the publish transaction
(the CAP identifier, a tip-off's duplicate check) signals after_commit too, and acting on it
would wake executors before the outbox rows exist or export the public site as it was before."""

from __future__ import annotations

from notify.dispatch import wakeup
from notify.extensions import db
from notify.public import export
from notify.public.export import MANIFEST


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


def test_the_public_export_renders_the_outer_commit_not_a_savepoint(app, sample_levels, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_EXPORT_ON_COMMIT", True)
    directory = export.export_dir(app)
    export.clear(app)
    try:
        red = sample_levels["red"]
        red.name_zh = "特别红色"
        db.session.flush()
        db.session.begin_nested().commit()
        assert not (directory / MANIFEST).exists()  # nothing exported from inside the transaction
        db.session.commit()
        advice = (directory / "advice" / red.kind.code / "red.html").read_text()
        assert "特别红色" in advice
    finally:
        export.clear(app)
