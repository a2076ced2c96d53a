"""The console and the public site's export: edits of what the public sees (a level's advice, a
township, a clarification) ask for an export in their own transaction, and while the export keeps
failing every console page says since when the public site is out of date and why."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from notify import clock
from notify.extensions import db
from notify.models import SiteExportRequest
from notify.public import export
from notify.public.export_runner import run_pending
from notify.tipoffs.guard import ActionData, perform
from tests.conftest import fresh, login
from tests.notify.tipoffs.fixtures import make_tipoff

ALARM = 'data-test="public-export-alarm"'


@pytest.fixture
def folder(app):
    export.clear(app)
    yield export.export_dir(app)
    export.clear(app)


def _asked() -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(SiteExportRequest))


def _level_form(level, **changes) -> dict:
    blocks = level.advisory_blocks()
    form = {
        "name_zh": level.name_zh,
        "name_en": level.name_en,
        "colour": level.colour,
        "approver_role": level.approver_role,
        "criteria_zh": level.criteria_zh,
        "criteria_en": level.criteria_en,
        "criteria_rule": json.dumps(level.criteria_rule, ensure_ascii=False) if level.criteria_rule else "",
    }
    for block, items in blocks.items():
        form[f"adv_{block}_zh"] = "\n".join(i["zh"] for i in items)
        form[f"adv_{block}_en"] = "\n".join(i["en"] for i in items)
    return {**form, **changes}


def test_editing_a_level_asks_for_an_export_that_shows_it(client, folder, sample_users, sample_levels):
    level = sample_levels["orange"]
    url = f"/admin/levels/{level.id}/edit"
    login(client, "admin")
    assert client.post(url, data=_level_form(level)).status_code == 302
    assert _asked() == 0  # nothing changed, nothing to export

    assert client.post(url, data=_level_form(level, name_en="Orange alert (revised)")).status_code == 302
    assert _asked() == 1
    assert run_pending(client.application) is True
    page = folder / "en" / "advice" / level.kind.code / "orange.html"
    assert "Orange alert (revised)" in page.read_text()


def test_publishing_a_clarification_in_the_console_asks_for_an_export(
    client, folder, sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users, sample_published
):
    office, eco = sample_users["office"], sample_unit_users["eco"]
    tipoff, _ = make_tipoff(sample_jurisdiction, category="other")
    perform(tipoff, "accept", office)
    perform(tipoff, "refer", office, ActionData(unit_id=eco.member_unit_id))
    perform(tipoff, "start_verifying", eco)
    perform(tipoff, "submit_reply", eco, ActionData(outcome="false_rumour", reply="经核查，网传消息不实。"))
    perform(tipoff, "approve_reply", office)
    db.session.commit()
    run_pending(client.application)  # the publication's export
    assert _asked() == 0

    login(client, "office")
    fresh()
    response = client.post(
        f"/admin/tipoffs/{tipoff.id}/act",
        data={
            "action": "publish_clarification",
            "version": tipoff.version,
            "title_zh": "关于停水停电的辟谣",
            "body_zh": "网传预警期间全县停水停电，经核查不实。",
            "warning_id": sample_published.warning.id,
        },
    )
    assert response.status_code == 302
    assert _asked() == 1
    run_pending(client.application)
    page = (folder / "warnings" / f"{sample_published.warning.reference}.html").read_text()
    assert "关于停水停电的辟谣" in page


def test_every_console_page_shows_the_alarm_until_an_export_succeeds(
    app, client, folder, sample_users, sample_published, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("history template broken")

    monkeypatch.setitem(app.view_functions, "public.history", broken)
    failed_at = clock.now()
    assert run_pending(app, failed_at) is True  # the publication's export fails

    login(client, "publicity")
    for url in ("/admin/", "/admin/levels", f"/admin/revisions/{sample_published.id}/dispatch"):
        page = client.get(url).get_data(as_text=True)
        assert ALARM in page, url
        assert "RuntimeError: history template broken" in page
    # Meanwhile the public pages come from the app itself, and say nothing of it.
    public = client.get("/")
    assert public.status_code == 200 and ALARM not in public.get_data(as_text=True)
    client.post("/admin/logout")
    assert ALARM not in client.get("/admin/login").get_data(as_text=True)

    monkeypatch.undo()
    assert run_pending(app, failed_at + timedelta(seconds=2)) is True
    login(client, "publicity")
    assert ALARM not in client.get("/admin/").get_data(as_text=True)
