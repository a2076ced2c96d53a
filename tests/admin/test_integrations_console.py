"""The administrator's Integrations page: create with scopes and acting user, the token shown
once (and never stored in clear), issue another, revoke; admin only; audited. The acting user's
own page, where they confirm (or take back) an integration acting as them."""

from __future__ import annotations

import re

from sqlalchemy import select

from notify import integrations
from notify.extensions import db
from notify.models import ApiToken, AuditEvent, Integration
from tests.conftest import fresh, login


def _token(html: str) -> str:
    match = re.search(r'data-test="new-token"[^>]*>(cwp_[A-Za-z0-9_-]+)<', html)
    assert match, html
    return match.group(1)


def test_admin_creates_an_integration_and_sees_its_token_once(client, sample_users):
    login(client, "admin")
    office = sample_users["office"]
    resp = client.post(
        "/admin/integrations/new",
        data={
            "name": "县值班系统",
            "description": "值班平台同步预警",
            "scopes": ["read", "draft", "publish"],
            "acting_user": office.id,
            "active": "y",
        },
    )
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    token = _token(resp.get_data(as_text=True))
    fresh()
    integration = db.session.scalar(select(Integration))
    assert (integration.name, integration.scopes, integration.acting_user_id) == (
        "县值班系统",
        ["read", "draft", "publish"],
        office.id,
    )
    row = integration.tokens[0]
    assert row.token_hash == integrations.digest(token) and row.prefix == token[:10]
    listing = client.get("/admin/integrations").get_data(as_text=True)
    assert row.prefix in listing and token not in listing
    # It acts as office, who has not confirmed it: it does nothing yet.
    assert 'data-test="awaiting-consent"' in resp.get_data(as_text=True)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    client.post("/admin/logout")
    login(client, "office")
    assert client.post(f"/admin/integrations/{integration.id}/consent").status_code == 302
    client.post("/admin/logout")
    login(client, "admin")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    second = _token(client.post(f"/admin/integrations/{integration.id}/tokens").get_data(as_text=True))
    assert second != token
    resp = client.post(f"/admin/integrations/{integration.id}/tokens/{row.id}/revoke")
    assert resp.status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    fresh()
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("integration.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "integration.create",
        "integration.token_issue",
        "integration.consent",
        "integration.token_issue",
        "integration.token_revoke",
    ]


def test_write_scopes_need_an_acting_user_and_nothing_is_stored(client, sample_users):
    login(client, "admin")
    resp = client.post(
        "/admin/integrations/new", data={"name": "审批App", "scopes": ["approve"], "acting_user": 0}
    )
    assert resp.status_code == 400
    resp = client.post("/admin/integrations/new", data={"name": "x", "scopes": ["root"], "acting_user": 0})
    assert resp.status_code == 400
    fresh()
    assert db.session.scalar(select(Integration)) is None
    assert db.session.scalar(select(ApiToken)) is None


def test_editing_scopes_and_switching_off(client, sample_users):
    login(client, "admin")
    client.post(
        "/admin/integrations/new",
        data={"name": "融媒体中心", "scopes": ["read"], "acting_user": 0, "active": "y"},
    )
    integration = db.session.scalar(select(Integration))
    resp = client.post(
        f"/admin/integrations/{integration.id}/edit",
        data={"name": "融媒体中心", "scopes": ["read", "approve"], "acting_user": sample_users["deputy"].id},
    )
    assert resp.status_code == 400  # no integration approves
    resp = client.post(
        f"/admin/integrations/{integration.id}/edit",
        data={"name": "融媒体中心", "scopes": ["read", "draft"], "acting_user": sample_users["office"].id},
    )
    assert resp.status_code == 302
    fresh()
    integration = db.session.get(Integration, integration.id)
    assert integration.scopes == ["read", "draft"] and integration.active is False
    assert integration.awaiting_consent
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "integration.update"))
    assert set(event.detail["changed"]) == {"scopes", "acting_user_id", "active"}


def test_only_the_administrator_manages_integrations(client, sample_users):
    for username in ("office", "deputy", "publicity"):
        login(client, username)
        assert client.get("/admin/integrations").status_code == 403
        assert (
            client.post("/admin/integrations/new", data={"name": "x", "scopes": ["read"]}).status_code == 403
        )
        client.post("/admin/logout")
    fresh()
    assert db.session.scalar(select(Integration)) is None


def _acting_as_office(sample_users, scopes=("read", "draft", "publish")) -> Integration:
    integration = integrations.create_integration(
        sample_users["admin"].jurisdiction_id,
        integrations.IntegrationData(
            name="值班系统", scopes=list(scopes), acting_user=sample_users["office"], description="同步预警"
        ),
        sample_users["admin"],
    )
    db.session.commit()
    return integration


def test_the_acting_user_sees_what_acts_as_them_and_confirms_or_takes_it_back(client, sample_users):
    integration = _acting_as_office(sample_users)
    login(client, "office")
    home = client.get("/admin/").get_data(as_text=True)
    assert 'data-test="nav-acting-as-me"' in home and 'data-test="consents-awaiting">1<' in home
    page = client.get("/admin/integrations/acting-as-me").get_data(as_text=True)
    assert "值班系统" in page and "read draft publish" in page and "admin 测试" in page
    assert 'data-test="confirm"' in page
    assert client.post(f"/admin/integrations/{integration.id}/consent").status_code == 302
    fresh()
    stored = db.session.get(Integration, integration.id)
    assert stored.consented and stored.consented_scopes == ["read", "draft", "publish"]
    page = client.get("/admin/integrations/acting-as-me").get_data(as_text=True)
    assert 'data-test="confirm"' not in page and 'data-test="withdraw-consent"' in page
    assert 'data-test="consents-awaiting"' not in page
    assert client.post(f"/admin/integrations/{integration.id}/consent/withdraw").status_code == 302
    fresh()
    assert db.session.get(Integration, integration.id).awaiting_consent
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "integration.consent"))
    assert event.actor_name == "office 测试" and event.detail["created_by"] == "admin"


def test_nobody_confirms_for_someone_else(client, sample_users):
    integration = _acting_as_office(sample_users)
    for username in ("admin", "office2", "commander"):
        login(client, username)
        assert client.post(f"/admin/integrations/{integration.id}/consent").status_code == 404
        assert "值班系统" not in client.get("/admin/integrations/acting-as-me").get_data(as_text=True)
        client.post("/admin/logout")
    assert client.post(f"/admin/integrations/{integration.id}/consent").status_code == 302  # to the login
    fresh()
    assert db.session.get(Integration, integration.id).awaiting_consent
