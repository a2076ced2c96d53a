"""The console's writes through the API: every state change through the lifecycle guard, with
the acting user's role, optimistic concurrency on the revision's version, and 4xx for bad input
with nothing stored. Decisions are never taken through the API: the approver approves in the
console (here: through the lifecycle, as the console does)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.audience import audience_size
from notify.extensions import db
from notify.models import AuditEvent, Consultation, Delivery, Integration, Revision, Warning
from notify.revision_steps import take
from tests.conftest import decider_for, expand_plans, fresh

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


def _approve_in_console(revision_id: int, users, opinion: str = "同意") -> dict:
    """The approver's decision, taken as the console takes it; returns the revision as the API
    now reads it (its new version)."""
    fresh()
    revision = db.session.get(Revision, revision_id)
    take(
        revision,
        "approve",
        decider_for(users, revision),
        reason=opinion,
        confirmed_audience_size=audience_size(revision),
    )
    db.session.commit()
    return {"id": revision.id, "version": revision.version}


def _publish_via_api(api, users, body=None) -> dict:
    draft = api["office"].post("/warnings", json=body or NEW)
    assert draft.status_code == 201, draft.get_json()
    r = draft.get_json()
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": r["version"], **FORM}).get_json()
    r = _approve_in_console(r["id"], users)
    resp = api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_consultation_draft_submit_approve_publish(api, sample_users, sample_recipients):
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

    listed = api["drafts"].get("/revisions?state=pending_approval").get_json()
    assert [x["id"] for x in listed["items"]] == [r["id"]]

    _approve_in_console(r["id"], sample_users, opinion="同意发布")
    r = api["office"].get(f"/revisions/{r['id']}").get_json()
    assert r["state"] == "approved" and r["decided_by"]["username"] == "deputy"
    assert r["snapshot"]["content"]["level"]["code"] == "yellow"
    assert r["approval_form"]["leader_opinion"] == "同意发布"

    r = api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]}).get_json()
    assert r["state"] == "published" and r["published_by"]["username"] == "office"
    fresh()
    expand_plans()  # the subscribers' deliveries, as the executors write them after publication
    assert (
        db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.revision_id == r["id"]))
        == r["audience_size"]
    )
    duty = db.session.scalar(select(Integration).where(Integration.name == "值班系统"))
    via = dict(
        db.session.execute(
            select(AuditEvent.action, AuditEvent.via_integration_id).where(
                AuditEvent.warning_id == r["warning_id"]
            )
        ).all()
    )
    for domain, via_api in (
        ("revision.draft", "api.warning.create"),
        ("revision.edit", "api.revision.edit"),
        ("revision.submit", "api.revision.submit"),
        ("revision.publish", "api.revision.publish"),
    ):
        # The domain's own event says that it came through the integration, as does the API's.
        assert via[domain] == via[via_api] == duty.id, (domain, via_api)
    assert via["revision.approve"] is None and "api.revision.approve" not in via  # in the console
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.revision.publish"))
    assert event.actor_name == "office 测试" and event.detail["integration"] == "值班系统"
    assert event.detail["token"] == api["office"].token[:10]
    consultation = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.create"))
    assert consultation.via_integration_id == duty.id


def test_upgrade_then_lift_as_changes_of_the_published_warning(api, sample_users, sample_recipients):
    first = _publish_via_api(api, sample_users)
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
    r = _approve_in_console(r["id"], sample_users)
    r = api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]}).get_json()
    assert r["state"] == "published"
    lift = api["office"].post(f"/warnings/{wid}/revisions", json={"action": "lift", "level": "red"})
    assert lift.status_code == 201 and lift.get_json()["level"]["code"] == "orange", "lifting keeps the level"
    w = api["drafts"].get(f"/warnings/{wid}").get_json()
    assert w["current"]["id"] == r["id"] and w["open_proposal"]["id"] == lift.get_json()["id"]
    assert [x["action"] for x in w["revisions"]] == ["issue", "upgrade", "lift"]
    public = api["read"].get(f"/warnings/{wid}").get_json()  # the lifting is still a draft
    assert public["open_proposal"] is None
    assert [x["action"] for x in public["revisions"]] == ["issue", "upgrade"]


def test_downgrade_needs_a_lower_level(api, sample_users, sample_recipients):
    first = _publish_via_api(api, sample_users)
    err = _error(
        api["office"].post(
            f"/warnings/{first['warning_id']}/revisions", json={"action": "downgrade", "level": "red"}
        ),
        400,
        "invalid",
    )
    assert "level" in err["fields"]


@pytest.mark.parametrize("decision", ["approve", "return", "reject"])
def test_decisions_are_refused_through_the_api_whatever_the_scopes(
    api, decision, sample_users, sample_recipients
):
    """An integration never approves, returns or rejects: even one acting, with consent, as the
    commander or the deputy, and holding every scope there is."""
    from tests.notify.api.conftest import Api, make_token

    r = api["office"].post("/warnings", json=NEW).get_json()
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 1, **FORM}).get_json()
    everything = ["read", "read_drafts", "draft", "publish"]
    deputy = Api(api["office"].client, make_token(sample_users, "副总指挥", everything, "deputy"))
    body = {
        "version": r["version"],
        "confirmed_audience_size": r["audience_size"],
        "opinion": "同意",
        "reason": "理由",
    }
    events = _count(AuditEvent)
    for client in (deputy, api["office"], api["read"]):
        err = _error(client.post(f"/revisions/{r['id']}/{decision}", json=body), 403, "decision_in_console")
        assert "管理后台" in err["message"] or "console" in err["message"]
    _error(api["anonymous"].post(f"/revisions/{r['id']}/{decision}", json=body), 401)
    fresh()
    assert db.session.get(Revision, r["id"]).state == "pending_approval"
    assert _count(AuditEvent) == events


def test_stale_version_is_409_and_changes_nothing(api, sample_recipients):
    r = api["office"].post("/warnings", json=NEW).get_json()
    api["office"].patch(f"/revisions/{r['id']}", json={"version": 1, "trend": "扩散条件转差"})
    _error(api["office"].patch(f"/revisions/{r['id']}", json={"version": 1, "trend": "旧表单"}), 409, "stale")
    _error(api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 1, **FORM}), 409, "stale")
    fresh()
    stored = db.session.get(Revision, r["id"])
    assert (stored.trend, stored.state, stored.version) == ("扩散条件转差", "draft", 2)


def test_wrong_state_is_409(api, sample_users, sample_recipients):
    r = api["office"].post("/warnings", json=NEW).get_json()
    _error(api["office"].post(f"/revisions/{r['id']}/publish", json={"version": 1}), 409, "wrong_state")
    _error(api["office"].post(f"/revisions/{r['id']}/withdraw", json={"version": 1}), 409, "wrong_state")
    published = _publish_via_api(api, sample_users, {**NEW, "headline_zh": "第二个预警"})
    _error(
        api["office"].patch(
            f"/revisions/{published['id']}", json={"version": published["version"], "trend": "x"}
        ),
        409,
        "wrong_state",
    )
    _error(api["drafts"].get(f"/revisions/{r['id']}/cap"), 409, "wrong_state")
    _error(api["read"].get(f"/revisions/{r['id']}/cap"), 404)  # a draft is not there for `read`


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


def test_publishing_a_changed_audience_is_409_and_withdraw_sends_it_back(
    api, sample_users, sample_recipients
):
    from notify.audience_csv import import_csv
    from notify.models import AudienceGroup

    r = api["office"].post("/warnings", json=NEW).get_json()
    r = api["office"].post(f"/revisions/{r['id']}/submit", json={"version": 1, **FORM}).get_json()
    r = _approve_in_console(r["id"], sample_users)
    group = db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == "enterprises"))
    assert not import_csv(group, "name,phone\n新企业,13703530001\n新工地,13703530002".encode()).errors
    db.session.commit()
    err = _error(
        api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]}),
        409,
        "audience_changed",
    )
    assert "重点排污企业、施工工地" in err["message"] and "+2" in err["message"]
    assert _count(Delivery) == 0
    back = api["office"].post(f"/revisions/{r['id']}/withdraw", json={"version": r["version"]})
    assert back.status_code == 200, back.get_json()
    assert back.get_json()["state"] == "pending_approval" and back.get_json()["snapshot"] is None
    r = _approve_in_console(r["id"], sample_users)
    done = api["office"].post(f"/revisions/{r['id']}/publish", json={"version": r["version"]}).get_json()
    assert done["state"] == "published" and done["audience_size"] == 318
