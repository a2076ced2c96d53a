"""Token authentication per integration: 401 without a valid token, 403 without the scope,
tokens stored only as digests, revocation and switching off take effect at once, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notify import integrations
from notify.extensions import db
from notify.integrations import IntegrationData
from notify.lifecycle.errors import InvalidProposal, NotPermitted
from notify.models import ApiToken, AuditEvent, Integration, User
from tests.conftest import fresh


def _error(resp):
    body = resp.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_missing_unknown_and_malformed_tokens_are_401(api, client):
    assert api["read"].get("/warnings").status_code == 200
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer cwp_unknown"},
        {"Authorization": "Basic b2ZmaWNlOnBhc3M="},
        {"Authorization": "Bearer \u00e9\u00e9"},
        {"Authorization": "Token " + api["read"].token},
    ):
        resp = client.get("/api/v1/warnings", headers=headers)
        assert resp.status_code == 401, headers
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert _error(resp)["code"] == "unauthenticated"


def test_scope_is_checked_per_operation(api, sample_draft):
    resp = api["read"].post("/consultations", json={})
    assert resp.status_code == 403
    assert _error(resp)["code"] == "missing_scope"
    resp = api["read"].post(
        f"/revisions/{sample_draft.id}/approve",
        json={"version": sample_draft.version, "confirmed_audience_size": 0},
    )
    assert resp.status_code == 403
    resp = api["drafts"].post(f"/revisions/{sample_draft.id}/publish", json={"version": 1})
    assert resp.status_code == 403 and _error(resp)["code"] == "missing_scope"
    # Scope before body: a reader learns nothing from sending rubbish.
    assert api["read"].post("/warnings", data="{", content_type="application/json").status_code == 403


def test_tokens_are_kept_as_digests_only(tokens):
    rows = db.session.scalars(select(ApiToken)).all()
    assert len(rows) == len(tokens)
    stored = {r.token_hash for r in rows}
    for token in tokens.values():
        assert token.startswith("cwp_") and len(token) >= 40
        assert token not in stored and integrations.digest(token) in stored
    assert all(r.prefix == t[:10] for r, t in zip(rows, tokens.values(), strict=True))


def test_revoked_token_and_switched_off_integration_are_refused(api, sample_users):
    assert api["office"].get("/me").status_code == 200
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == integrations.digest(api["office"].token))
    )
    assert integrations.revoke_token(row, sample_users["admin"])
    db.session.commit()
    assert api["office"].get("/me").status_code == 401
    assert not integrations.revoke_token(row, sample_users["admin"])  # once is enough

    fresh()
    reader = db.session.scalar(select(Integration).where(Integration.name == "融媒体中心"))
    integrations.update_integration(
        reader, IntegrationData(name=reader.name, scopes=["read"], active=False), sample_users["admin"]
    )
    db.session.commit()
    assert api["read"].get("/me").status_code == 401
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("integration.create") == 3
    assert actions.count("integration.token_issue") == 3
    assert actions.count("integration.consent") == 1  # office confirmed the duty system
    assert "integration.token_revoke" in actions and "integration.update" in actions


def test_last_used_is_stamped(api):
    token = api["read"].token
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == integrations.digest(token)))
    assert row.last_used_at is None
    api["read"].get("/kinds")
    fresh()
    assert db.session.get(ApiToken, row.id).last_used_at is not None


def test_me_names_the_integration(api):
    body = api["office"].get("/me").get_json()
    assert body == {
        "name": "值班系统",
        "scopes": ["read", "draft", "publish"],
        "acting_user": {"username": "office", "display_name": "office 测试", "role": "office_staff"},
    }


def test_write_scope_needs_an_active_acting_user(api, sample_users):
    with pytest.raises(InvalidProposal) as refused:
        integrations.create_integration(
            sample_users["admin"].jurisdiction_id,
            IntegrationData(name="x", scopes=["draft"]),
            sample_users["admin"],
        )
    assert "acting_user" in refused.value.errors
    db.session.rollback()
    office = db.session.scalar(select(User).where(User.username == "office"))
    office.active = False
    db.session.commit()
    resp = api["office"].post("/consultations", json={})
    assert resp.status_code == 403 and _error(resp)["code"] == "no_acting_user"
    assert api["office"].get("/me").status_code == 200  # reading needs no acting user


def test_api_needs_no_csrf_token_but_the_console_still_does(app, api, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    resp = api["office"].post(
        "/consultations",
        json={"concluded_at": "2026-11-23T08:00:00+08:00", "conclusion": "会商结论", "reporter": "张建义"},
    )
    assert resp.status_code == 201, resp.get_json()
    from tests.conftest import login

    resp = login(client, "admin")
    assert resp.status_code == 400  # the console's login form without its CSRF token


def test_routing_failures_answer_in_the_json_shape(api):
    resp = api["read"].get("/no-such-thing")
    assert resp.status_code == 404 and _error(resp)["code"] == "not_found"
    resp = api["read"].client.delete(
        "/api/v1/warnings", headers={"Authorization": f"Bearer {api['read'].token}"}
    )
    assert resp.status_code == 405 and _error(resp)["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


def _integration(name: str) -> Integration:
    fresh()
    return db.session.scalar(select(Integration).where(Integration.name == name))


def test_an_integration_acting_as_someone_waits_for_their_own_confirmation(api, sample_users):
    """The administrator's office token does nothing, not even read, until `office` confirms it;
    a change of acting user or a new scope needs a new confirmation; taking it back stops it."""
    from tests.notify.api.conftest import Api, make_token

    token = make_token(sample_users, "管理员自建", ["read", "draft"], "office", consent=False)
    admin_made = Api(api["read"].client, token)
    for resp in (admin_made.get("/warnings"), admin_made.post("/consultations", json={})):
        assert resp.status_code == 403 and _error(resp)["code"] == "awaiting_consent"
        assert "office" in _error(resp)["message"]
    integration = _integration("管理员自建")
    with pytest.raises(NotPermitted):
        integrations.confirm_acting(integration, sample_users["admin"])  # not theirs to give
    integrations.confirm_acting(integration, db.session.get(User, sample_users["office"].id))
    db.session.commit()
    assert admin_made.get("/warnings").status_code == 200

    admin = db.session.get(User, sample_users["admin"].id)
    office = db.session.get(User, sample_users["office"].id)
    integrations.update_integration(
        integration,
        IntegrationData(name=integration.name, scopes=["read", "draft", "publish"], acting_user=office),
        admin,
    )
    db.session.commit()
    assert _error(admin_made.get("/warnings"))["code"] == "awaiting_consent"  # publish is new
    integrations.confirm_acting(_integration("管理员自建"), db.session.get(User, office.id))
    db.session.commit()
    assert admin_made.get("/warnings").status_code == 200

    integration = _integration("管理员自建")
    integrations.update_integration(
        integration,
        IntegrationData(
            name=integration.name,
            scopes=["read", "draft", "publish"],
            acting_user=db.session.get(User, sample_users["office2"].id),
        ),
        db.session.get(User, admin.id),
    )
    db.session.commit()
    assert _error(admin_made.get("/warnings"))["code"] == "awaiting_consent"  # office2 never agreed
    integration = _integration("管理员自建")
    assert integration.consented_at is None

    integrations.confirm_acting(integration, db.session.get(User, sample_users["office2"].id))
    assert integrations.withdraw_consent(integration, db.session.get(User, sample_users["office2"].id))
    db.session.commit()
    assert _error(admin_made.get("/warnings"))["code"] == "awaiting_consent"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["integration.consent", "integration.consent_withdraw"]


def test_no_integration_can_be_given_the_approve_scope(sample_users):
    with pytest.raises(InvalidProposal) as refused:
        integrations.create_integration(
            sample_users["admin"].jurisdiction_id,
            IntegrationData(name="审批", scopes=["read", "approve"], acting_user=sample_users["deputy"]),
            sample_users["admin"],
        )
    assert "scopes" in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(Integration)) is None


def test_a_reader_acts_as_nobody(sample_users):
    integration = integrations.create_integration(
        sample_users["admin"].jurisdiction_id,
        IntegrationData(name="只读", scopes=["read"], acting_user=sample_users["commander"]),
        sample_users["admin"],
    )
    assert integration.acting_user is None and not integration.awaiting_consent
