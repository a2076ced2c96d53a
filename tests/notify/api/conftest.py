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


def make_token(users, name, scopes, acting=None, jurisdiction_id=None, *, consent=True) -> str:
    """An integration made by the administrator and its token; one that acts as a person is
    confirmed by that person (as they would, logged in) unless `consent` is False."""
    admin = users["admin"]
    integration = integrations.create_integration(
        jurisdiction_id or admin.jurisdiction_id,
        IntegrationData(name=name, scopes=scopes, acting_user=users[acting] if acting else None),
        admin,
    )
    token = integrations.issue_token(integration, admin)
    if acting and consent:
        integrations.confirm_acting(integration, users[acting])
    db.session.commit()
    return token


@pytest.fixture
def tokens(sample_users) -> dict[str, str]:
    """read: a news desk reading published warnings only; drafts: the deputy commander's app that
    shows what waits for approval (read_drafts); office: the county's duty system (drafts,
    submits, publishes as `office`, who confirmed it)."""
    return {
        "read": make_token(sample_users, "融媒体中心", ["read"]),
        "drafts": make_token(sample_users, "副总指挥待审提醒", ["read", "read_drafts"]),
        "office": make_token(sample_users, "值班系统", ["read", "draft", "publish"], "office"),
    }


@pytest.fixture
def api(client, tokens):
    return {name: Api(client, token) for name, token in tokens.items()} | {"anonymous": Api(client, None)}
