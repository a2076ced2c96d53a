"""The administrator's Integrations page: create with scopes and acting user, the token shown
once (and never stored in clear), issue another, revoke; admin only; audited."""

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
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    second = _token(client.post(f"/admin/integrations/{integration.id}/tokens").get_data(as_text=True))
    assert second != token
    resp = client.post(f"/admin/integrations/{integration.id}/tokens/{row.id}/revoke")
    assert resp.status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    fresh()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-4:] == [
        "integration.create",
        "integration.token_issue",
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
    assert resp.status_code == 302
    fresh()
    integration = db.session.get(Integration, integration.id)
    assert integration.scopes == ["read", "approve"] and integration.active is False
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
