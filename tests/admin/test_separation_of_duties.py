"""Separation of duties: no single person, whatever their role and with every integration token
they can make themselves, takes a warning from draft to publication.

The issue's story: the administrator made an office token and a commander token and drafted,
approved and published a red warning alone. Each person here logs in, makes every integration
the console lets them make (acting as anyone, with every scope), confirms every integration that
acts as them, and then pushes every revision through every step by every way they have: the
console and each token."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from notify.audience import audience_size
from notify.extensions import db
from notify.models import Integration, Revision, User
from tests.conftest import fresh, login
from tests.notify.api.conftest import Api

PEOPLE = ["office", "deputy", "commander", "publicity", "unit", "admin"]
# Every scope there is, and every one there ever was (approve).
SCOPE_SETS = [["read", "draft", "approve", "publish"], ["read", "read_drafts", "draft", "publish"]]
FORM = {"basis": "会商结论", "main_content": "发布红色预警", "department_opinion": "同意"}
NEW_WARNING = {"kind": "heavy_pollution", "level": "red", "headline_zh": "盂县发布重污染天气红色预警"}
DRAFT_FORM = {
    "level": "red",
    "headline_zh": "盂县发布重污染天气红色预警",
    "area_scope": "county",
    "consultation": "0",
    "aqi_min": "300",
    "aqi_max": "400",
    "degree": "",
    "primary_pollutant": "PM2.5",
}


def _every_token_they_can_make(client) -> list[str]:
    tokens = []
    for user in db.session.scalars(select(User)).all():
        for scopes in SCOPE_SETS:
            answer = client.post(
                "/admin/integrations/new",
                data={
                    "name": f"{user.username}-{len(scopes)}",
                    "scopes": scopes,
                    "acting_user": user.id,
                    "active": "y",
                },
            )
            found = re.search(
                r'data-test="new-token"[^>]*>(cwp_[A-Za-z0-9_-]+)<', answer.get_data(as_text=True)
            )
            if found:
                tokens.append(found.group(1))
    return tokens


def _confirm_every_integration_offered(client) -> None:
    fresh()
    for integration_id in db.session.scalars(select(Integration.id)).all():
        client.post(f"/admin/integrations/{integration_id}/consent")


def _state(revision_id: int) -> tuple[int, int]:
    fresh()
    revision = db.session.get(Revision, revision_id)
    return revision.version, audience_size(revision)


def _push(revision_id: int, client, apis: list[Api]) -> None:
    """Submit, approve, publish: each by the console and by every token, whatever works."""
    for step in ("submit", "approve", "publish"):
        version, size = _state(revision_id)
        console = {
            "submit": ("submit", {"version": version, **FORM}),
            "approve": (
                "decide",
                {"version": version, "decision": "approve", "confirm_audience": "y", "audience_size": size},
            ),
            "publish": ("publish", {"version": version, "confirm_audience": "y", "audience_size": size}),
        }[step]
        client.post(f"/admin/revisions/{revision_id}/{console[0]}", data=console[1])
        for api in apis:
            version, size = _state(revision_id)
            body = {
                "submit": {"version": version, **FORM},
                "approve": {"version": version, "confirmed_audience_size": size},
                "publish": {"version": version},
            }[step]
            api.post(f"/revisions/{revision_id}/{step}", json=body)


@pytest.mark.parametrize("person", PEOPLE)
def test_no_single_person_takes_a_warning_from_draft_to_publication(
    person, client, sample_users, sample_recipients
):
    login(client, person)
    apis = [Api(client, token) for token in _every_token_they_can_make(client)]
    _confirm_every_integration_offered(client)
    client.post("/admin/warnings/new/heavy_pollution", data=DRAFT_FORM)
    for api in apis:
        api.post("/warnings", json=NEW_WARNING)
    fresh()
    drafted = db.session.scalars(select(Revision.id)).all()
    for revision_id in drafted:
        _push(revision_id, client, apis)
    fresh()
    states = db.session.scalars(select(Revision.state)).all()
    assert "published" not in states and "approved" not in states, (person, states)
    if person == "admin":
        # Tokens acting as others wait for those others; the administrator drafts nothing.
        assert apis and drafted == []
    if person == "office":
        # The office drafts and submits (in the console) and waits for the approver.
        assert drafted and set(states) == {"pending_approval"}
    assert db.session.scalar(select(func.count()).select_from(Revision)) == len(drafted)
