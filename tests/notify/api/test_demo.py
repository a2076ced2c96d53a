"""The demo's media-centre token reads the demo warning, as the README's curl example shows; the
demo's integrations keep the separation of duties (none approves; the one acting as a person was
confirmed by that person)."""

from __future__ import annotations

from sqlalchemy import select

from notify.demo.integrations import demo_token
from notify.demo.seed import seed_demo
from notify.extensions import db
from notify.models import AuditEvent, Integration


def test_demo_token_reads_the_active_warning(client):
    assert seed_demo()
    headers = {"Authorization": f"Bearer {demo_token()}"}
    body = client.get("/api/v1/warnings?status=active&kind=heavy_pollution", headers=headers).get_json()
    assert "orange" in [w["current"]["level"]["code"] for w in body["items"]]
    assert client.post("/api/v1/consultations", json={}, headers=headers).status_code == 403
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me == {"name": "县融媒体中心", "scopes": ["read"], "acting_user": None}

    rows = db.session.scalars(select(Integration)).all()
    assert rows and all("approve" not in (i.scopes or []) for i in rows)
    assert not any(i.awaiting_consent for i in rows)
    (duty,) = [i for i in rows if i.acting_user is not None]
    assert duty.acting_user.username == "office" and duty.consented_by.username == "office"
    consent = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "integration.consent"))
    assert consent.actor_id == duty.acting_user_id
