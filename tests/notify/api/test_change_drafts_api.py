"""Drafting through the API obeys the console's rules: a change starts from its own headline and
no consultation, and a second warning over an area already warned needs `confirm_overlap`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.extensions import db
from notify.lifecycle.proposals import propose_issue
from notify.models import Consultation, Warning
from tests.conftest import fresh, proposal, take_to

NEW = {"kind": "heavy_pollution", "level": "orange", "headline_zh": "盂县发布重污染天气橙色预警"}


@pytest.fixture
def yellow_in_force(sample_jurisdiction, sample_users, sample_kind, sample_levels, sample_recipients):
    consultation = Consultation(
        jurisdiction_id=sample_jurisdiction.id,
        concluded_at=sample_jurisdiction.created_at,
        conclusion="建议发布黄色预警",
        reporter="张建义",
        created_by=sample_users["office"],
    )
    db.session.add(consultation)
    revision = propose_issue(
        sample_kind,
        proposal(sample_levels["yellow"], consultation=consultation, headline_zh="盂县发布黄色预警"),
        sample_users["office"],
    )
    db.session.commit()
    take_to(revision, "published", sample_users)
    return revision.warning


def _warnings() -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(Warning)) or 0


def test_a_second_warning_over_the_same_area_is_409_until_confirmed(api, yellow_in_force):
    reference = yellow_in_force.reference
    refused = api["office"].post("/warnings", json=NEW)
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "overlap" and reference in error["message"]
    assert reference in error["fields"]["confirm_overlap"]
    assert _warnings() == 1

    saved = api["office"].post("/warnings", json={**NEW, "confirm_overlap": True})
    assert saved.status_code == 201, saved.get_json()
    assert _warnings() == 2


def test_a_change_left_without_headline_and_consultation_gets_its_own(api, yellow_in_force):
    resp = api["office"].post(
        f"/warnings/{yellow_in_force.id}/revisions", json={"action": "upgrade", "level": "orange"}
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["headline_zh"] == "盂县重污染天气预警升级为橙色预警，启动Ⅱ级响应"
    assert body["headline_en"].startswith("Yu County raises the heavy pollution weather warning to an orange")
    assert body["consultation_id"] is None
