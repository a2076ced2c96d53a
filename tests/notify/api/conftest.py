"""Integrations and their tokens for the API tests, made through the same domain functions as
the console, and a small client that sends the bearer token."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from notify import integrations
from notify.extensions import db
from notify.integrations import IntegrationData


@dataclass
class Api:
    client: object
    token: str | None

    def _headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path, **kw):
        return self.client.get(f"/api/v1{path}", headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(
            f"/api/v1{path}", json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def patch(self, path, json=None, **kw):
        return self.client.patch(
            f"/api/v1{path}", json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )


def make_token(users, name, scopes, acting=None, jurisdiction_id=None) -> str:
    admin = users["admin"]
    integration = integrations.create_integration(
        jurisdiction_id or admin.jurisdiction_id,
        IntegrationData(name=name, scopes=scopes, acting_user=users[acting] if acting else None),
        admin,
    )
    token = integrations.issue_token(integration, admin)
    db.session.commit()
    return token


@pytest.fixture
def tokens(sample_users) -> dict[str, str]:
    """read: a news desk reading only; office: the county's duty system (drafts, submits,
    publishes as `office`); deputy: the deputy commander's approval app; office_approve: an
    integration that holds the approve scope but acts as office staff."""
    return {
        "read": make_token(sample_users, "融媒体中心", ["read"]),
        "office": make_token(sample_users, "值班系统", ["read", "draft", "publish"], "office"),
        "deputy": make_token(sample_users, "副总指挥审批", ["read", "approve"], "deputy"),
        "commander": make_token(sample_users, "总指挥审批", ["read", "approve"], "commander"),
        "office_approve": make_token(sample_users, "办公室审批", ["read", "approve"], "office"),
    }


@pytest.fixture
def api(client, tokens):
    return {name: Api(client, token) for name, token in tokens.items()} | {"anonymous": Api(client, None)}
