"""Robot and webhook addresses on private networks are refused at registration unless the host
is allowed; a new webhook's secret is shown in the answer only, never put in the session
(issue 13, item 16)."""

from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import func, select

from notify.extensions import db
from notify.models import PartnerWebhook, Robot
from tests.conftest import fresh, login

PRIVATE = (
    "http://127.0.0.1:5105",
    "http://localhost",
    "http://169.254.169.254",
    "http://10.20.30.40",
    "http://[::1]",
)


def _robot(url: str) -> dict:
    return {
        "kind": "dingtalk",
        "name": "内网机器人",
        "webhook_url": f"{url}/robot/send?access_token=abcdef0123456789",
        "secret": "SECdeadbeefcafebabe0123456789",
        "township": "0",
        "active": "y",
    }


def _webhook(url: str) -> dict:
    return {"name": "阳泉日报", "url": url, "send_json": "y", "active": "y"}


def _count(model) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def no_allowed_hosts(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_HOSTS", frozenset())


@pytest.mark.parametrize("base", PRIVATE)
def test_a_robot_on_a_private_address_is_refused(client, sample_users, no_allowed_hosts, base):
    login(client, "admin")
    response = client.post("/admin/robots/new", data=_robot(base))
    assert response.status_code == 400
    assert "OUTBOUND_ALLOWED_HOSTS" in response.get_data(as_text=True)
    assert _count(Robot) == 0


@pytest.mark.parametrize(
    "url",
    [f"{base}/hooks/yq" for base in PRIVATE] + ["ftp://partner.example.cn/h", "file://partner/etc/passwd"],
)
def test_a_webhook_on_a_private_address_or_another_scheme_is_refused(
    client, sample_users, no_allowed_hosts, url
):
    login(client, "admin")
    assert client.post("/admin/webhooks/new", data=_webhook(url)).status_code == 400
    assert _count(PartnerWebhook) == 0


def test_an_allowed_host_may_be_private(client, sample_users, app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_HOSTS", frozenset({"127.0.0.1"}))
    login(client, "admin")
    assert client.post("/admin/robots/new", data=_robot("http://127.0.0.1:5105")).status_code == 302
    assert client.post("/admin/robots/new", data=_robot("http://10.20.30.40")).status_code == 400
    assert _count(Robot) == 1


def test_a_new_webhook_secret_is_shown_once_and_kept_out_of_the_session(client, sample_users, app):
    login(client, "admin")
    response = client.post("/admin/webhooks/new", data=_webhook("https://partner.example.cn/hooks/yq"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    fresh()
    secret = db.session.scalar(select(PartnerWebhook.secret))
    assert len(secret) >= 32 and secret in response.get_data(as_text=True)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is not None:
        assert secret not in cookie.value
        if isinstance(app.session_interface, SecureCookieSessionInterface):  # readable once decoded
            serializer = app.session_interface.get_signing_serializer(app)
            assert secret not in str(serializer.loads(cookie.value))
    assert secret not in client.get("/admin/webhooks").get_data(as_text=True)
