"""Tip-offs in the console: roles, actions through the one endpoint, the identity shown only to
the office and audited, photos behind a permission check, an export without identity, and the
reporter's name and phone never in clear in the database, public pages, exports or logs."""

from __future__ import annotations

import csv
import io
import logging
import re

import pytest
from sqlalchemy import select, text

from notify.extensions import db
from notify.models import AuditEvent, Tipoff
from notify.tipoffs.photos import process
from tests.conftest import fresh, login
from tests.notify.tipoffs.fixtures import LAT, LON, jpeg, make_tipoff, post_tipoff

NAME, PHONE = "张三丰", "+8613912345678"


@pytest.fixture
def sample_named_tipoff(sample_tipoff_env, sample_jurisdiction):
    tipoff, code = make_tipoff(
        sample_jurisdiction,
        anonymous=False,
        name=NAME,
        phone=PHONE,
        latitude=LAT,
        longitude=LON,
        photos=[process(jpeg(gps=(LAT, LON)))],
    )
    return tipoff


def _act(client, tipoff, action, **fields):
    fresh()
    version = db.session.get(Tipoff, tipoff.id).version
    return client.post(
        f"/admin/tipoffs/{tipoff.id}/act", data={"action": action, "version": version, **fields}
    )


def test_office_handles_a_ticket_through_the_console(
    client, sample_named_tipoff, sample_users, sample_unit_users
):
    t = sample_named_tipoff
    login(client, "office")
    page = client.get("/admin/tipoffs").get_data(as_text=True)
    assert t.ticket_number in page
    detail = client.get(f"/admin/tipoffs/{t.id}").get_data(as_text=True)
    assert 'data-action="accept"' in detail and 'data-action="not_accept"' in detail
    assert _act(client, t, "accept", reason="受理").status_code == 302
    eco_unit = sample_unit_users["eco"].member_unit_id
    assert _act(client, t, "refer", unit_id=str(eco_unit)).status_code == 302
    fresh()
    assert db.session.get(Tipoff, t.id).state == "referred"
    client.post("/admin/logout")

    login(client, "eco")
    assert t.ticket_number in client.get("/admin/tipoffs").get_data(as_text=True)
    assert _act(client, t, "start_verifying").status_code == 302
    response = _act(client, t, "submit_reply", outcome="true", reply="短")
    assert response.status_code == 400 and "至少5个字" in response.get_data(as_text=True)
    assert _act(client, t, "submit_reply", outcome="true", reply="经查属实，已责令停工。").status_code == 302
    client.post("/admin/logout")

    login(client, "office")
    assert _act(client, t, "approve_reply").status_code == 302
    fresh()
    assert db.session.get(Tipoff, t.id).state == "closed"


def test_refusals_are_clear_4xx(client, sample_named_tipoff, sample_users):
    t = sample_named_tipoff
    login(client, "office")
    response = _act(client, t, "approve_reply")
    assert response.status_code == 409 and "不能执行" in response.get_data(as_text=True)
    response = _act(client, t, "not_accept")
    assert response.status_code == 400 and "请填写理由" in response.get_data(as_text=True)
    response = client.post(f"/admin/tipoffs/{t.id}/act", data={"action": "accept", "version": "0"})
    assert response.status_code == 409
    response = _act(client, t, "fly_away")
    assert response.status_code == 400
    fresh()
    assert db.session.get(Tipoff, t.id).state == "received"


def test_a_member_unit_sees_only_what_was_referred_to_it(
    client, sample_named_tipoff, sample_users, sample_unit_users
):
    login(client, "police")
    assert sample_named_tipoff.ticket_number not in client.get("/admin/tipoffs").get_data(as_text=True)
    assert client.get(f"/admin/tipoffs/{sample_named_tipoff.id}").status_code == 404
    assert client.get(f"/admin/tipoffs/photos/{sample_named_tipoff.photos[0].id}").status_code == 404


@pytest.mark.parametrize("username", ["publicity", "admin"])
def test_roles_without_a_need_do_not_see_tipoffs(username, client, sample_named_tipoff, sample_users):
    login(client, username)
    assert client.get("/admin/tipoffs").status_code == 403
    assert client.get(f"/admin/tipoffs/photos/{sample_named_tipoff.photos[0].id}").status_code == 403


def test_identity_is_shown_only_to_the_office_and_every_view_is_audited(
    client, sample_named_tipoff, sample_users, sample_unit_users
):
    t = sample_named_tipoff
    login(client, "office")
    page = client.get(f"/admin/tipoffs/{t.id}").get_data(as_text=True)
    assert NAME not in page and PHONE not in page and 'data-test="reveal"' in page
    page = client.post(f"/admin/tipoffs/{t.id}/identity").get_data(as_text=True)
    assert NAME in page and PHONE in page
    client.post(f"/admin/tipoffs/{t.id}/identity")
    fresh()
    views = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tipoff.identity_viewed")))
    assert len(views) == 2 and views[0].actor_id == sample_users["office"].id and views[0].subject_id == t.id
    client.post("/admin/logout")
    for username in ("deputy", "commander"):
        login(client, username)
        page = client.get(f"/admin/tipoffs/{t.id}").get_data(as_text=True)
        assert NAME not in page and 'data-test="reveal"' not in page
        assert client.post(f"/admin/tipoffs/{t.id}/identity").status_code == 403
        client.post("/admin/logout")


def test_identity_never_in_clear_in_the_database_audit_export_public_pages_or_logs(
    app, client, sample_tipoff_env, sample_jurisdiction, sample_users, caplog
):
    caplog.set_level(logging.DEBUG)
    response = post_tipoff(
        client,
        sample_tipoff_env,
        sample_jurisdiction.townships[0].id,
        identity="real_name",
        name=NAME,
        phone="139 1234 5678",
    )
    assert response.status_code == 201
    status_page = client.get(
        re.search(r'href="(/tipoffs/status/[^"]+)"', response.get_data(as_text=True)).group(1)
    )
    fresh()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM tipoffs")).all()
        audit_rows = conn.execute(text("SELECT * FROM audit_events")).all()
    dump = repr(rows) + repr(audit_rows)
    received = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tipoff.received"))
    assert received.ip == "" and received.user_agent == ""  # nothing that traces the reporter
    for secret in (NAME, "13912345678"):
        assert secret not in dump
        assert secret not in status_page.get_data(as_text=True)
        assert secret not in caplog.text
    login(client, "office")
    export = client.get("/admin/tipoffs/export.csv")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    body = export.get_data(as_text=True)
    assert NAME not in body and "13912345678" not in body
    header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert "ticket_number" in header and not {"name", "phone", "reporter"} & set(header)


def test_export_neutralises_spreadsheet_formulas(
    client, sample_tipoff_env, sample_jurisdiction, sample_users
):
    tipoff, _ = make_tipoff(sample_jurisdiction)
    tipoff.address = '=HYPERLINK("http://evil")'
    db.session.commit()
    login(client, "office")
    body = client.get("/admin/tipoffs/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_photos_need_a_permission_and_public_pages_show_only_approved_ones(
    client, sample_named_tipoff, sample_users
):
    photo_id = sample_named_tipoff.photos[0].id
    assert client.get(f"/admin/tipoffs/photos/{photo_id}").status_code == 302  # to the log-in page
    assert client.get(f"/tipoffs/photos/{photo_id}").status_code == 404
    login(client, "office")
    response = client.get(f"/admin/tipoffs/photos/{photo_id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert (
        "no-store" in response.headers["Cache-Control"]
        and response.headers["X-Content-Type-Options"] == "nosniff"
    )
    assert client.post(f"/admin/tipoffs/photos/{photo_id}/public", data={"public": "y"}).status_code == 302
    client.post("/admin/logout")
    assert client.get(f"/tipoffs/photos/{photo_id}").status_code == 200
    fresh()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tipoff.photo_public")) is not None


def test_overdue_tickets_are_flagged_and_listed(client, sample_tipoff_env, sample_jurisdiction, sample_users):
    from datetime import timedelta

    from notify import clock

    old, _ = make_tipoff(sample_jurisdiction, now=clock.now() - timedelta(days=16))
    new, _ = make_tipoff(sample_jurisdiction)
    login(client, "office")
    page = client.get("/admin/tipoffs?overdue=1").get_data(as_text=True)
    assert old.ticket_number in page and new.ticket_number not in page and "data-overdue" in page
    detail = client.get(f"/admin/tipoffs/{old.id}").get_data(as_text=True)
    assert 'data-deadline="acceptance" data-status="overdue"' in detail


def test_duplicate_suggestions_are_shown_and_linking_works(
    client, sample_tipoff_env, sample_jurisdiction, sample_users
):
    first, _ = make_tipoff(sample_jurisdiction)
    second, _ = make_tipoff(sample_jurisdiction)
    login(client, "office")
    page = client.get(f"/admin/tipoffs/{second.id}").get_data(as_text=True)
    assert f'data-suggestion="{first.ticket_number}"' in page
    assert _act(client, second, "mark_duplicate", duplicate_of=first.ticket_number).status_code == 302
    page = client.get(f"/admin/tipoffs/{first.id}").get_data(as_text=True)
    assert second.ticket_number in page and 'data-test="duplicates"' in page
    response = _act(client, first, "mark_duplicate", duplicate_of="JB-19990101-0001")
    assert response.status_code == 400 and "没有该受理编号" in response.get_data(as_text=True)


def test_reward_ledger_lists_amount_approver_and_payment(
    client, sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users
):
    from notify import clock
    from notify.tipoffs.guard import ActionData, perform

    office, eco = sample_users["office"], sample_unit_users["eco"]
    t, _ = make_tipoff(sample_jurisdiction, anonymous=False, name=NAME, phone=PHONE)
    perform(t, "accept", office)
    perform(t, "refer", office, ActionData(unit_id=eco.member_unit_id))
    perform(t, "start_verifying", eco)
    perform(t, "submit_reply", eco, ActionData(outcome="true", reply="情况属实，已处罚。"))
    perform(t, "approve_reply", office)
    db.session.commit()
    login(client, "office")
    assert _act(client, t, "propose_reward", amount="abc").status_code == 400
    assert _act(client, t, "propose_reward", amount="800", reason="首报").status_code == 302
    client.post("/admin/logout")
    login(client, "deputy")
    assert _act(client, t, "approve_reward").status_code == 302
    client.post("/admin/logout")
    login(client, "office")
    today = clock.now().date().isoformat()
    assert _act(client, t, "record_payment", paid_on=today, payment_reference="PZ-001").status_code == 302
    ledger = client.get("/admin/tipoffs/rewards").get_data(as_text=True)
    assert f'data-reward="{t.ticket_number}"' in ledger and "800.00" in ledger
    assert "deputy 测试" in ledger and today in ledger and NAME not in ledger
