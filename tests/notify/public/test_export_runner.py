"""The export runs off the request: a change asks in its own transaction, run_pending exports once
for however many requests wait, a failure is retried with backoff and alarmed in the audit log
until an export succeeds, and the web process's runner thread exports within a second of wake()."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from notify import clock
from notify.extensions import db
from notify.models import AuditEvent, SiteExportRequest, SiteExportState
from notify.public import export_requests, export_runner
from notify.public.export import MANIFEST
from notify.public.export_runner import run_pending
from tests.conftest import fresh


def _ask() -> datetime:
    at = clock.now()
    export_requests.request_export(at)
    db.session.commit()
    return at


def _state() -> SiteExportState:
    fresh()
    return db.session.scalars(select(SiteExportState)).one()


def _waiting() -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(SiteExportRequest))


def _audited(action: str) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.fixture
def broken_history(app, monkeypatch):
    """The history page's view raises: one page of the export fails to render."""

    def broken(*args, **kwargs):
        raise RuntimeError("history template broken")

    monkeypatch.setitem(app.view_functions, "public.history", broken)


def test_a_request_rolled_back_with_its_change_exports_nothing(app, exported, sample_jurisdiction):
    export_requests.request_export(clock.now())
    db.session.rollback()
    assert run_pending(app) is False
    assert not (exported / MANIFEST).exists()


def test_many_requests_make_one_export(app, exported, sample_jurisdiction):
    for _ in range(3):
        _ask()
    assert run_pending(app) is True
    assert (exported / MANIFEST).exists() and (exported / "advice.html").exists()
    assert _waiting() == 0
    assert run_pending(app) is False  # the three were one export
    assert _state().last_exported_at is not None


def test_nothing_asked_nothing_exported(app, exported, sample_jurisdiction):
    assert run_pending(app) is False
    assert not exported.exists() or not any(exported.iterdir())


def test_another_process_holding_the_lease_keeps_this_one_out_until_it_expires(
    app, exported, sample_jurisdiction
):
    _ask()
    now = clock.now()
    db.session.add(
        SiteExportState(
            id=1,
            install_id="a" * 32,
            lease_owner="elsewhere:1:1",
            lease_until=now + timedelta(seconds=120),
            attempts=0,
            last_error="",
        )
    )
    db.session.commit()
    assert run_pending(app, now) is False
    assert not (exported / MANIFEST).exists() and _waiting() == 1
    # That exporter crashed: its lease runs out and this process takes the work over.
    assert run_pending(app, now + timedelta(seconds=121)) is True
    assert (exported / MANIFEST).exists() and _waiting() == 0
    assert _state().lease_owner == ""


def test_a_failure_is_kept_retried_with_backoff_and_audited_once(
    app, exported, sample_jurisdiction, broken_history, monkeypatch
):
    _ask()
    start = clock.now()
    assert run_pending(app, start) is True
    state = _state()
    assert state.attempts == 1 and "history template broken" in state.last_error
    assert state.failing_since == start and state.retry_at == start + timedelta(seconds=2)
    assert not (exported / MANIFEST).exists()  # the app renders meanwhile
    assert _waiting() == 1  # the request stays until an export succeeds

    assert run_pending(app, start + timedelta(seconds=1)) is False  # waiting out the backoff
    assert run_pending(app, start + timedelta(seconds=2)) is True
    state = _state()
    assert state.attempts == 2 and state.retry_at == start + timedelta(seconds=2 + 4)
    assert state.failing_since == start
    assert _audited("public_export.failed") == 1  # once per streak

    # The delay keeps doubling, up to PUBLIC_EXPORT_RETRY_CAP_SECONDS.
    gaps = []
    for _ in range(8):
        due = _state().retry_at
        assert run_pending(app, due) is True
        gaps.append(int((_state().retry_at - due).total_seconds()))
    assert gaps == [8, 16, 32, 64, 128, 256, 300, 300]
    assert _audited("public_export.failed") == 1

    monkeypatch.undo()  # the page is fixed
    assert run_pending(app, _state().retry_at) is True
    state = _state()
    assert (state.attempts, state.last_error, state.failing_since, state.retry_at) == (0, "", None, None)
    assert (exported / MANIFEST).exists() and _waiting() == 0
    assert _audited("public_export.recovered") == 1
    assert export_runner_alarm() is None


def export_runner_alarm():
    fresh()
    return export_runner.alarm()


def test_the_alarm_says_since_when_the_site_is_out_of_date(
    app, exported, sample_jurisdiction, broken_history
):
    asked_at = _ask()
    assert export_runner_alarm() is None  # asked, not failed: no alarm
    run_pending(app, asked_at + timedelta(seconds=1))
    alarm = export_runner_alarm()
    assert alarm.since == asked_at and alarm.attempts == 1
    assert "history template broken" in alarm.last_error


def test_the_runner_thread_exports_within_a_second_of_being_woken(app, exported, sample_jurisdiction):
    runner = export_runner.ExportRunner(app, poll=30).start()  # a long poll: only wake() is fast
    try:
        _ask()
        export_requests.wake()
        deadline = time.monotonic() + 1.5
        while not (exported / MANIFEST).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (exported / MANIFEST).exists()
    finally:
        runner.stop()


def test_a_request_starts_no_runner_in_the_tests(app, client, sample_jurisdiction):
    client.get("/")
    assert "notify.public.export_runner" not in app.extensions
