"""A public site export that fails never holds up publishing or sending: the publication commits
and wakes the dispatch executors and the export runner, every recipient gets the message, and the
console says the public site is out of date while the app serves the pages itself."""

from __future__ import annotations

import time

from sqlalchemy import select

from notify import publication
from notify.extensions import db
from notify.models import SiteExportState
from notify.models.deliveries import Status
from notify.public import export_runner
from notify.public.export import MANIFEST
from tests.conftest import login, take_to
from tests.notify.dispatch.conftest import wait_until_final


def _failed_attempts(timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        attempts = db.session.scalar(select(SiteExportState.attempts)) or 0
        if attempts or time.monotonic() > deadline:
            return attempts
        time.sleep(0.05)


def test_export_raises_dispatch_still_completes_the_console_shows_the_alarm(
    app, client, exported, sample_recipients, sample_draft, sample_users, run_executor, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("history template broken")

    monkeypatch.setitem(app.view_functions, "public.history", broken)
    take_to(sample_draft, "approved", sample_users)
    runner = export_runner.start(app)  # the web process's own export thread, as in production
    run_executor()
    try:
        publication.publish(sample_draft, sample_users["office"])
        assert _failed_attempts() >= 1  # the runner tried, woken by the publication
        assert wait_until_final(316) == {Status.DELIVERED: 316}
    finally:
        runner.stop()
        app.extensions.pop("notify.public.export_runner", None)

    assert not (exported / MANIFEST).exists()
    assert 'data-level="yellow"' in client.get("/").get_data(as_text=True)  # rendered by the app
    login(client, "office")
    for url in ("/admin/", f"/admin/revisions/{sample_draft.id}/dispatch"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-test="public-export-alarm"' in page and "history template broken" in page, url
