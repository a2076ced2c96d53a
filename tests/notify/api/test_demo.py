"""The demo's media-centre token reads the demo warning, as the README's curl example shows."""

from __future__ import annotations

from notify.demo.integrations import demo_token
from notify.demo.seed import seed_demo


def test_demo_token_reads_the_active_warning(client):
    assert seed_demo()
    headers = {"Authorization": f"Bearer {demo_token()}"}
    body = client.get("/api/v1/warnings?status=active&kind=heavy_pollution", headers=headers).get_json()
    assert "orange" in [w["current"]["level"]["code"] for w in body["items"]]
    assert client.post("/api/v1/consultations", json={}, headers=headers).status_code == 403
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me == {"name": "县融媒体中心", "scopes": ["read"], "acting_user": None}
