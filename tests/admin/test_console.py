"""The console: log-in, forms, refusals. Bad input is a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.audience import audience_size
from notify.extensions import db
from notify.models import AuditEvent, MemberUnit, Revision, Warning
from tests.conftest import fresh, login, take_to


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_login_and_failed_login_are_audited(client, sample_users):
    assert login(client, "office", "wrong").status_code == 401
    assert login(client, "office").status_code == 302
    client.post("/admin/logout")
    fresh()
    failed, ok, out = _events("login.failed"), _events("login"), _events("logout")
    assert failed[0].actor_name == "office" and failed[0].ip == "127.0.0.1"
    assert ok[0].actor_id == sample_users["office"].id and out


def test_console_needs_login(client, sample_users):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_csrf_is_enforced(app, client, sample_users, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/admin/login", data={"username": "office", "password": "x"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)  # "security token" in the default language
    fresh()
    assert _events("login.failed") == []


def _draft_form(**overrides):
    data = {
        "level": "yellow",
        "headline_zh": "盂县发布重污染天气黄色预警",
        "headline_en": "",
        "area_scope": "county",
        "consultation": "0",
        "trend": "",
        "degree": "",
        "primary_pollutant": "PM2.5",
        "aqi_min": "160",
        "aqi_max": "220",
        "adv_health_zh": "减少户外活动",
        "adv_health_en": "Stay indoors",
    }
    data.update(overrides)
    return data


def test_drafting_through_the_console(client, sample_users):
    login(client, "office")
    response = client.post("/admin/warnings/new/heavy_pollution", data=_draft_form())
    assert response.status_code == 302
    fresh()
    revision = db.session.scalar(select(Revision))
    assert revision.state == "draft" and revision.advisories["health"] == [
        {"zh": "减少户外活动", "en": "Stay indoors"}
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"headline_zh": ""},
        {"level": "purple"},
        {"aqi_min": "300", "aqi_max": "100"},
        {"aqi_min": "abc"},
        {"area_scope": "townships"},
        {"episode_start": "not a date"},
        {"area_scope": "moon"},
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_stored(overrides, client, sample_users):
    login(client, "office")
    response = client.post("/admin/warnings/new/heavy_pollution", data=_draft_form(**overrides))
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True) or "flash-error" in response.get_data(
        as_text=True
    )
    fresh()
    assert _count(Warning) == 0


def test_unknown_kind_and_foreign_ids_are_404(client, sample_users, sample_published):
    login(client, "office")
    assert client.get("/admin/warnings/new/volcano").status_code == 404
    assert client.get("/admin/revisions/99999").status_code == 404
    assert client.get("/admin/warnings/99999/revise/upgrade").status_code == 404
    assert client.get(f"/admin/warnings/{sample_published.warning_id}/revise/explode").status_code == 404


@pytest.mark.parametrize("username", ["deputy", "commander", "publicity", "unit", "admin"])
def test_wrong_role_cannot_draft(username, client, sample_users):
    login(client, username)
    assert client.post("/admin/warnings/new/heavy_pollution", data=_draft_form()).status_code == 403
    fresh()
    assert _count(Warning) == 0


def test_submit_decide_publish_through_the_console(client, sample_draft, sample_users):
    rid, version = sample_draft.id, sample_draft.version
    login(client, "office")
    bad = client.post(
        f"/admin/revisions/{rid}/submit",
        data={"version": version, "basis": "", "main_content": "x", "department_opinion": "y"},
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/admin/revisions/{rid}/submit",
        data={"version": version, "basis": "会商", "main_content": "x", "department_opinion": "同意"},
    )
    assert ok.status_code == 302
    client.post("/admin/logout")
    fresh()
    revision = db.session.get(Revision, rid)
    size, version = audience_size(revision), revision.version

    login(client, "commander")  # yellow is the deputy's to approve
    refused = client.post(
        f"/admin/revisions/{rid}/decide",
        data={"version": version, "decision": "approve", "confirm_audience": "y", "audience_size": size},
    )
    assert refused.status_code == 403 and "flash-error" in refused.get_data(as_text=True)
    client.post("/admin/logout")

    login(client, "deputy")
    unconfirmed = client.post(
        f"/admin/revisions/{rid}/decide",
        data={"version": version, "decision": "approve", "audience_size": size},
    )
    assert unconfirmed.status_code == 400
    stale = client.post(
        f"/admin/revisions/{rid}/decide",
        data={"version": version - 1, "decision": "approve", "confirm_audience": "y", "audience_size": size},
    )
    assert stale.status_code == 409
    wrong_size = client.post(
        f"/admin/revisions/{rid}/decide",
        data={"version": version, "decision": "approve", "confirm_audience": "y", "audience_size": size + 5},
    )
    assert wrong_size.status_code == 409
    no_reason = client.post(f"/admin/revisions/{rid}/decide", data={"version": version, "decision": "reject"})
    assert no_reason.status_code == 400
    assert (
        client.post(
            f"/admin/revisions/{rid}/decide", data={"version": "x", "decision": "approve"}
        ).status_code
        == 400
    )
    fresh()
    assert db.session.get(Revision, rid).state == "pending_approval"
    approved = client.post(
        f"/admin/revisions/{rid}/decide",
        data={
            "version": version,
            "decision": "approve",
            "confirm_audience": "y",
            "audience_size": size,
            "opinion": "同意",
        },
    )
    assert approved.status_code == 302
    fresh()
    version = db.session.get(Revision, rid).version
    again = client.post(
        f"/admin/revisions/{rid}/decide",
        data={"version": version, "decision": "approve", "confirm_audience": "y", "audience_size": size},
    )
    assert again.status_code == 409  # double approval
    assert client.post(f"/admin/revisions/{rid}/publish", data={"version": version}).status_code == 403
    client.post("/admin/logout")

    login(client, "office")
    # Publishing needs the audience confirmed on the server too (tests/admin/test_publish_confirmation.py).
    confirmed = {"version": version, "confirm_audience": "y", "audience_size": size}
    assert client.post(f"/admin/revisions/{rid}/publish", data=confirmed).status_code == 302
    fresh()
    revision = db.session.get(Revision, rid)
    assert revision.state == "published" and revision.warning.status == "active"
    assert revision.approval_form.leader_opinion == "同意"
    page = client.get(f"/admin/warnings/{revision.warning_id}").get_data(as_text=True)
    for action in ("revision.draft", "revision.submit", "revision.approve", "revision.publish"):
        assert f'data-action="{action}"' in page


def test_approval_queue_shows_only_what_the_user_may_decide(client, sample_users, sample_draft):
    take_to(sample_draft, "pending_approval", sample_users)
    login(client, "deputy")
    assert sample_draft.headline_zh in client.get("/admin/approvals").get_data(as_text=True)
    client.post("/admin/logout")
    login(client, "commander")
    assert sample_draft.headline_zh not in client.get("/admin/approvals").get_data(as_text=True)


def test_settings_changes_are_admin_only_and_audited(client, sample_users):
    unit = db.session.scalar(select(MemberUnit).order_by(MemberUnit.position))
    form = {
        "code": unit.code,
        "name_zh": unit.name_zh,
        "name_en": unit.name_en,
        "phone": "0353-1234567",
        "active": "y",
    }
    login(client, "office")
    assert client.post(f"/admin/units/{unit.id}/edit", data=form).status_code == 403
    client.post("/admin/logout")
    login(client, "admin")
    assert client.post(f"/admin/units/{unit.id}/edit", data={**form, "phone": "call me"}).status_code == 400
    assert client.post(f"/admin/units/{unit.id}/edit", data=form).status_code == 302
    fresh()
    event = _events("settings.member_unit")[0]
    assert event.detail["changed"]["phone"][1] == "0353-1234567" and event.actor_name == "admin 测试"


def test_level_rule_must_be_valid_json_rule(client, sample_users, sample_levels):
    level = sample_levels["yellow"]
    login(client, "admin")
    data = {
        "name_zh": level.name_zh,
        "name_en": level.name_en,
        "colour": level.colour,
        "approver_role": "deputy_commander",
        "criteria_zh": "x",
        "criteria_en": "x",
        "criteria_rule": '{"any": [{"aqi_above": "lots"}]}',
    }
    assert client.post(f"/admin/levels/{level.id}/edit", data=data).status_code == 400
    assert (
        client.post(f"/admin/levels/{level.id}/edit", data={**data, "criteria_rule": "{not json"}).status_code
        == 400
    )
    assert (
        client.post(
            f"/admin/levels/{level.id}/edit",
            data={**data, "criteria_rule": '{"aqi_above": 180, "hours": 24}'},
        ).status_code
        == 302
    )
    fresh()
    assert db.session.get(type(level), level.id).criteria_rule == {"aqi_above": 180, "hours": 24}


def test_admin_cannot_lock_themselves_out(client, sample_users):
    admin = sample_users["admin"]
    login(client, "admin")
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={
            "username": "admin",
            "display_name": "x",
            "role": "office_staff",
            "member_unit": "0",
            "active": "y",
        },
    )
    assert response.status_code == 400
    fresh()
    assert db.session.get(type(admin), admin.id).role == "admin"


def test_editing_a_returned_revision_in_the_console(client, sample_draft, sample_users):
    take_to(sample_draft, "returned", sample_users)
    rid, version = sample_draft.id, sample_draft.version
    login(client, "office")
    assert "盂县" in client.get(f"/admin/revisions/{rid}/edit").get_data(as_text=True)
    stale = client.post(
        f"/admin/revisions/{rid}/edit", data={**_draft_form(headline_zh="旧表单"), "version": version - 1}
    )
    assert stale.status_code == 400 and "flash-error" in stale.get_data(as_text=True)
    ok = client.post(
        f"/admin/revisions/{rid}/edit",
        data={**_draft_form(level="orange", headline_zh="改为橙色"), "version": version},
    )
    assert ok.status_code == 302
    fresh()
    revision = db.session.get(Revision, rid)
    assert (revision.headline_zh, revision.level.code, revision.state) == ("改为橙色", "orange", "returned")


def test_consultations_suggest_the_level_their_forecast_meets(client, app):
    from notify.demo.seed import seed_demo

    seed_demo()
    login(client, "office", "demo-yu-2026")
    page = client.get("/admin/consultations").get_data(as_text=True)
    # The demo's two forecasts: [165, 185, 140] meets yellow, [215, 230, 160] meets orange.
    assert "→ 黄色预警" in page and "→ 橙色预警" in page
    bad = client.post(
        "/admin/consultations/new",
        data={
            "source": "consultation",
            "concluded_at": "2026-11-23T10:00",
            "conclusion": "x",
            "reporter": "y",
            "forecast_daily_aqi": "200, lots",
        },
    )
    assert bad.status_code == 400
