"""The console's writes through the API: every state change through the lifecycle guard, with
the acting user's role, optimistic concurrency on the revision's version, and 4xx for bad input
with nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.extensions import db
from notify.models import AuditEvent, Consultation, Delivery, Revision, User, Warning
from tests.conftest import fresh

NEW = {
    "kind": "heavy_pollution",
    "level": "yellow",
    "headline_zh": "盂县发布重污染天气黄色预警",
    "headline_en": "Yu County issues a yellow heavy-pollution warning",
    "aqi_min": 160,
    "aqi_max": 240,
    "primary_pollutant": "PM2.5",
    "episode_start": "2026-11-23T08:00:00+08:00",
    "episode_end": "2026-11-25T08:00:00+08:00",
}
FORM = {
    "basis": "会商结论：预计日AQI>150持续48小时",
    "main_content": "发布黄色预警",
    "department_opinion": "同意，请审批",
}


def _count(model) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(model))


def _error(resp, status, code=None):
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()["error"]
    if code:
        assert err["code"] == code, err
    return err


def _publish_via_api(api, body=None) -> dict:
    draft = api["office"].post("/warnings", json=body or NEW)
    assert draft.status_code == 201, draft.get_json()
    r = draft.get_json()
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": r["version"], **FORM}).get_json()
    r = (
        api["deputy"]
        .post(
            f"/revisions/{r['id']}/approve",
            json={"version": r["version"], "confirmed_audience_size": r["audience_size"], "opinion": "同意"},
        )
        .get_json()
    )
    resp = api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_consultation_draft_submit_approve_publish(api, sample_recipients):
    c = api["office"].post(
        "/consultations",
        json={
            "source": "consultation",
            "concluded_at": "2026-11-23T07:30:00+08:00",
            "conclusion": "预计未来48小时扩散条件不利",
            "reporter": "县环境监测站",
            "forecast_daily_aqi": [165, 185],
        },
    )
    assert c.status_code == 201 and c.headers["Location"].endswith(
        f"/api/v1/consultations/{c.get_json()['id']}"
    )
    assert c.get_json()["concluded_at"] == "2026-11-23T07:30:00+08:00"

    draft = api["office"].post("/warnings", json={**NEW, "consultation_id": c.get_json()["id"]})
    assert draft.status_code == 201
    r = draft.get_json()
    assert (r["state"], r["action"], r["level"]["code"], r["version"]) == ("draft", "issue", "yellow", 1)
    assert r["author"]["username"] == "office" and r["consultation_id"] == c.get_json()["id"]
    assert r["advisories"]["health"], "a draft takes the level's advice when none is given"
    assert draft.headers["Location"].endswith(f"/api/v1/revisions/{r['id']}")

    edited = api["office"].patch(
        f"/revisions/{r['id']}",
        json={
            "version": 1,
            "aqi_max": 260,
            "area_scope": "townships",
            "townships": ["140322100", "140322101"],
        },
    )
    assert edited.status_code == 200, edited.get_json()
    r = edited.get_json()
    assert r["aqi_max"] == 260 and r["aqi_min"] == 160 and r["version"] == 2
    assert [t["code"] for t in r["townships"]] == ["140322100", "140322101"]

    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 2, **FORM}).get_json()
    assert r["state"] == "pending_approval" and r["approval_form"]["basis"] == FORM["basis"]
    assert r["audience_size"] > 0

    listed = api["deputy"].get("/revisions?state=pending_approval").get_json()
    assert [x["id"] for x in listed["items"]] == [r["id"]]

    r = (
        api["deputy"]
        .post(
            f"/revisions/{r['id']}/approve",
            json={
                "version": r["version"],
                "confirmed_audience_size": r["audience_size"],
                "opinion": "同意发布",
            },
        )
        .get_json()
    )
    assert r["state"] == "approved" and r["decided_by"]["username"] == "deputy"
    assert r["snapshot"]["content"]["level"]["code"] == "yellow"
    assert r["approval_form"]["leader_opinion"] == "同意发布"

    r = api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]}).get_json()
    assert r["state"] == "published" and r["published_by"]["username"] == "office"
    fresh()
    assert (
        db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.revision_id == r["id"]))
        == r["audience_size"]
    )
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    for domain, via_api in (
        ("consultation.create", "api.consultation.create"),
        ("revision.draft", "api.warning.create"),
        ("revision.edit", "api.revision.edit"),
        ("revision.submit", "api.revision.submit"),
        ("revision.approve", "api.revision.approve"),
        ("revision.publish", "api.revision.publish"),
    ):
        assert domain in actions and via_api in actions, (domain, via_api)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.revision.approve"))
    assert event.actor_name == "deputy 测试" and event.detail["integration"] == "副总指挥审批"
    assert event.detail["token"] == api["deputy"].token[:10]


def test_upgrade_then_lift_as_changes_of_the_published_warning(api, sample_recipients):
    first = _publish_via_api(api)
    wid = first["warning_id"]
    up = api["office"].post(
        f"/warnings/{wid}/revisions",
        json={"action": "upgrade", "level": "orange", "headline_zh": "升级为橙色预警"},
    )
    assert up.status_code == 201, up.get_json()
    up = up.get_json()
    assert up["supersedes_id"] == first["id"] and up["aqi_max"] == first["aqi_max"]
    assert up["advisories"] != first["advisories"], "an upgrade takes the new level's advice"
    # One open proposal per warning.
    _error(api["office"].post(f"/warnings/{wid}/revisions", json={"action": "lift"}), 409, "wrong_state")
    r = (
        api["office"]
        .post(f"/revisions/{up['id']}/submit", json={"version": up["version"], **FORM})
        .get_json()
    )
    r = (
        api["deputy"]
        .post(
            f"/revisions/{r['id']}/approve",
            json={"version": r["version"], "confirmed_audience_size": r["audience_size"]},
        )
        .get_json()
    )
    r = api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]}).get_json()
    assert r["state"] == "published"
    lift = api["office"].post(f"/warnings/{wid}/revisions", json={"action": "lift", "level": "red"})
    assert lift.status_code == 201 and lift.get_json()["level"]["code"] == "orange", "lifting keeps the level"
    w = api["read"].get(f"/warnings/{wid}").get_json()
    assert w["current"]["id"] == r["id"] and w["open_proposal"]["id"] == lift.get_json()["id"]
    assert [x["action"] for x in w["revisions"]] == ["issue", "upgrade", "lift"]


def test_downgrade_needs_a_lower_level(api, sample_recipients):
    first = _publish_via_api(api)
    err = _error(
        api["office"].post(
            f"/warnings/{first['warning_id']}/revisions", json={"action": "downgrade", "level": "red"}
        ),
        400,
        "invalid",
    )
    assert "level" in err["fields"]


def test_approver_cannot_approve_their_own_draft(api, sample_users, sample_recipients):
    """office drafts and submits through the API, is then made deputy commander, and tries to
    approve through an approval integration acting as them: the guard refuses."""
    r = api["office"].post("/warnings", json=NEW).get_json()
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 1, **FORM}).get_json()
    # Office staff holding the approve scope still lack the approver's role.
    err = _error(
        api["office_approve"].post(
            f"/revisions/{r['id']}/approve",
            json={"version": r["version"], "confirmed_audience_size": r["audience_size"]},
        ),
        403,
        "not_permitted",
    )
    assert err["message"]
    office = db.session.scalar(select(User).where(User.username == "office"))
    office.role = "deputy_commander"
    db.session.commit()
    err = _error(
        api["office_approve"].post(
            f"/revisions/{r['id']}/approve",
            json={"version": r["version"], "confirmed_audience_size": r["audience_size"]},
        ),
        403,
        "not_permitted",
    )
    fresh()
    assert db.session.get(Revision, r["id"]).state == "pending_approval"
    assert _count(AuditEvent) == db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_red_needs_the_commander(api, sample_recipients):
    r = api["office"].post("/warnings", json={**NEW, "level": "red"}).get_json()
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 1, **FORM}).get_json()
    body = {"version": r["version"], "confirmed_audience_size": r["audience_size"]}
    _error(api["deputy"].post(f"/revisions/{r['id']}/approve", json=body), 403, "not_permitted")
    assert api["commander"].post(f"/revisions/{r['id']}/approve", json=body).get_json()["state"] == "approved"


def test_return_and_reject_need_a_reason(api, sample_recipients):
    r = api["office"].post("/warnings", json=NEW).get_json()
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 1, **FORM}).get_json()
    err = _error(
        api["deputy"].post(f"/revisions/{r['id']}/return", json={"version": r["version"]}), 400, "invalid"
    )
    assert "reason" in err["fields"]
    _error(
        api["deputy"].post(f"/revisions/{r['id']}/return", json={"version": r["version"], "reason": "  "}),
        400,
        "invalid",
    )
    r = (
        api["deputy"]
        .post(f"/revisions/{r['id']}/return", json={"version": r["version"], "reason": "AQI范围有误"})
        .get_json()
    )
    assert r["state"] == "returned" and r["approval_form"]["leader_opinion"] == "AQI范围有误"
    r = (
        api["office"]
        .patch(f"/revisions/{r['id']}", json={"version": r["version"], "aqi_min": 170})
        .get_json()
    )
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": r["version"], **FORM}).get_json()
    r = (
        api["deputy"]
        .post(f"/revisions/{r['id']}/reject", json={"version": r["version"], "reason": "不具备条件"})
        .get_json()
    )
    assert r["state"] == "rejected"
    assert api["read"].get(f"/warnings/{r['warning_id']}").get_json()["status"] == "abandoned"


def test_stale_version_and_stale_audience_are_409_and_change_nothing(api, sample_recipients):
    r = api["office"].post("/warnings", json=NEW).get_json()
    api["office"].patch(f"/revisions/{r['id']}", json={"version": 1, "trend": "扩散条件转差"})
    _error(api["office"].patch(f"/revisions/{r['id']}", json={"version": 1, "trend": "旧表单"}), 409, "stale")
    _error(api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 1, **FORM}), 409, "stale")
    fresh()
    stored = db.session.get(Revision, r["id"])
    assert (stored.trend, stored.state, stored.version) == ("扩散条件转差", "draft", 2)
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 2, **FORM}).get_json()
    err = _error(
        api["deputy"].post(
            f"/revisions/{r['id']}/approve",
            json={"version": r["version"], "confirmed_audience_size": r["audience_size"] + 1},
        ),
        409,
        "stale",
    )
    assert str(r["audience_size"]) in err["message"]
    fresh()
    assert db.session.get(Revision, r["id"]).state == "pending_approval"


def test_wrong_state_is_409(api, sample_recipients):
    r = api["office"].post("/warnings", json=NEW).get_json()
    _error(api["office"].post(f"/revisions/{r['id']}/publish", json={"version": 1}), 409, "wrong_state")
    _error(
        api["deputy"].post(
            f"/revisions/{r['id']}/approve", json={"version": 1, "confirmed_audience_size": 1}
        ),
        409,
        "wrong_state",
    )
    published = _publish_via_api(api, {**NEW, "headline_zh": "第二个预警"})
    _error(
        api["office"].patch(
            f"/revisions/{published['id']}", json={"version": published["version"], "trend": "x"}
        ),
        409,
        "wrong_state",
    )
    _error(api["read"].get(f"/revisions/{r['id']}/cap"), 409, "wrong_state")


@pytest.mark.parametrize(
    "body, field",
    [
        ({**NEW, "level": "purple"}, "level"),
        ({**NEW, "kind": "volcano"}, "kind"),
        ({**NEW, "headline_zh": ""}, "headline_zh"),
        ({**NEW, "headline_zh": "x" * 201}, "headline_zh"),
        ({**NEW, "aqi_min": "160"}, "aqi_min"),
        ({**NEW, "aqi_min": 2001}, "aqi_min"),
        ({**NEW, "aqi_min": True}, "aqi_min"),
        ({**NEW, "aqi_min": 300, "aqi_max": 200}, "aqi_max"),
        ({**NEW, "episode_start": "2026-11-23 08:00"}, "episode_start"),
        ({**NEW, "episode_start": "2026-11-23T08:00:00"}, "episode_start"),
        ({**NEW, "episode_start": "2026-02-30T08:00:00+08:00"}, "episode_start"),
        ({**NEW, "area_scope": "townships"}, "townships"),
        ({**NEW, "area_scope": "townships", "townships": ["999999999"]}, "townships"),
        ({**NEW, "consultation_id": 424242}, "consultation_id"),
        ({**NEW, "advisories": {"volcano": []}}, "advisories.volcano"),
        ({**NEW, "advisories": {"health": [{"en": "no zh"}]}}, "advisories.health[0].zh"),
        ({**NEW, "trend": "a\u0000b"}, "trend"),
        ({**NEW, "trend": "\ud800"}, "trend"),
        ({**NEW, "colour": "red"}, "colour"),
        ({k: v for k, v in NEW.items() if k != "headline_zh"}, "headline_zh"),
    ],
)
def test_bad_drafts_are_400_with_the_field_and_store_nothing(api, body, field):
    err = _error(api["office"].post("/warnings", json=body), 400, "invalid")
    assert field in err["fields"], err
    assert _count(Warning) == 0 and _count(Revision) == 0


def test_malformed_bodies(api):
    err = _error(
        api["office"].post("/warnings", data='{"kind": ', content_type="application/json"),
        400,
        "malformed_json",
    )
    assert err["fields"] == {}
    _error(
        api["office"].post(
            "/warnings", data="kind=heavy_pollution", content_type="application/x-www-form-urlencoded"
        ),
        415,
        "unsupported_media_type",
    )
    _error(api["office"].post("/warnings", json=[1, 2]), 400, "invalid")
    _error(api["office"].post("/warnings", data="[" * 100000, content_type="application/json"), 400)
    _error(
        api["office"].post(
            "/consultations",
            json={
                "concluded_at": "2026-11-23T08:00:00+08:00",
                "conclusion": "x",
                "reporter": "y",
                "forecast_daily_aqi": [1, "2"],
            },
        ),
        400,
        "invalid",
    )
    assert _count(Consultation) == 0


def test_unknown_and_foreign_ids_are_404(api, sample_users, sample_published):
    from notify.demo.loader import DATA_DIR, load_jurisdiction, read
    from tests.notify.api.conftest import Api, make_token

    wuan = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    db.session.commit()
    foreign = Api(api["read"].client, make_token(sample_users, "武安", ["read"], jurisdiction_id=wuan.id))
    assert api["read"].get(f"/revisions/{sample_published.id}").status_code == 200
    _error(foreign.get(f"/revisions/{sample_published.id}"), 404, "not_found")
    _error(foreign.get(f"/warnings/{sample_published.warning_id}"), 404)
    _error(api["read"].get("/warnings/99999999999999999999"), 404)
    _error(api["read"].get("/revisions/2147483648"), 404)
    _error(api["office"].post("/revisions/2147483648/publish", json={"version": 1}), 404)
    assert foreign.get("/warnings").get_json()["total"] == 0
