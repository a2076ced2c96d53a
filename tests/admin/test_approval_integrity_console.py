"""Approval integrity in the console: the approver of a change of level (a downgrade from red is
the commander's) in the queue and on the revision page; a revision whose audience changed after
approval is refused at publication and withdrawn for a new approval; what was done through an
integration says so on the timeline and in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from notify.audience import audience_size
from notify.audience_csv import import_csv
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import AudienceGroup, AuditEvent, Revision
from tests.conftest import fresh, login, proposal, take_to


def test_a_downgrade_from_red_waits_for_the_commander(client, sample_users, sample_kind, sample_levels):
    red = propose_issue(sample_kind, proposal(sample_levels["red"]), sample_users["office"])
    take_to(red, "published", sample_users)
    down = propose_change(red.warning, "downgrade", proposal(sample_levels["orange"]), sample_users["office"])
    take_to(down, "pending_approval", sample_users)
    rid = down.id

    login(client, "deputy")
    assert f'data-revision="{rid}"' not in client.get("/admin/approvals").get_data(as_text=True)
    page = client.get(f"/admin/revisions/{rid}").get_data(as_text=True)
    assert 'data-approver="commander">总指挥<' in page
    assert 'id="decision-form"' not in page
    client.post("/admin/logout")

    login(client, "commander")
    assert f'data-revision="{rid}"' in client.get("/admin/approvals").get_data(as_text=True)
    assert 'id="decision-form"' in client.get(f"/admin/revisions/{rid}").get_data(as_text=True)


def test_a_changed_audience_is_refused_at_publication_and_withdrawn(
    client, sample_draft, sample_users, sample_recipients
):
    take_to(sample_draft, "approved", sample_users)
    rid = sample_draft.id
    group = db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == "townships"))
    lines = ["name,phone"] + [f"新增{i},1370353{i:04d}" for i in range(25)]
    assert not import_csv(group, "\n".join(lines).encode()).errors
    db.session.commit()

    login(client, "office")
    page = client.get(f"/admin/revisions/{rid}").get_data(as_text=True)
    assert 'data-test="audience-changed"' in page and "+25" in page and 'data-test="withdraw"' in page
    fresh()
    revision = db.session.get(Revision, rid)
    size, version = audience_size(revision), revision.version
    refused = client.post(
        f"/admin/revisions/{rid}/publish",
        data={"version": version, "confirm_audience": "y", "audience_size": size},
    )
    assert refused.status_code == 409 and "乡镇（街道）值班人员" in refused.get_data(as_text=True)
    fresh()
    assert db.session.get(Revision, rid).state == "approved"

    assert client.post(f"/admin/revisions/{rid}/withdraw", data={"version": "x"}).status_code == 400
    assert client.post(f"/admin/revisions/{rid}/withdraw", data={"version": version}).status_code == 302
    fresh()
    revision = db.session.get(Revision, rid)
    assert revision.state == "pending_approval" and revision.snapshot is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "revision.withdraw"))
    assert "+25" in event.detail["reason"]
    client.post("/admin/logout")
    login(client, "deputy")
    page = client.get(f"/admin/revisions/{rid}").get_data(as_text=True)
    assert 'id="decision-form"' in page and f'data-audience="{size}"' in page
    groups = page.split('data-test="audience-groups"')[1].split("</ul>")[0]
    assert 'data-group="townships">乡镇（街道）值班人员: 38' in groups
    assert "10%" in groups.split('data-group="public"')[1]  # approved as a rule


def test_only_the_office_withdraws(client, sample_draft, sample_users, sample_recipients):
    take_to(sample_draft, "approved", sample_users)
    for username in ("deputy", "admin", "publicity"):
        login(client, username)
        answer = client.post(
            f"/admin/revisions/{sample_draft.id}/withdraw", data={"version": sample_draft.version}
        )
        assert answer.status_code == 403
        client.post("/admin/logout")
    fresh()
    assert db.session.get(Revision, sample_draft.id).state == "approved"


def test_the_timeline_and_the_audit_log_name_the_integration(client, sample_users, sample_recipients):
    from tests.notify.api.conftest import Api, make_token

    office_system = Api(client, make_token(sample_users, "县应急值班系统", ["read", "draft"], "office"))
    created = office_system.post(
        "/warnings", json={"kind": "heavy_pollution", "level": "yellow", "headline_zh": "黄色预警"}
    )
    assert created.status_code == 201
    warning_id = created.get_json()["warning_id"]
    login(client, "office")
    page = client.get(f"/admin/warnings/{warning_id}").get_data(as_text=True)
    assert 'data-test="via-integration"' in page and "县应急值班系统" in page
    client.post("/admin/logout")
    login(client, "admin")
    log = client.get("/admin/audit").get_data(as_text=True)
    assert log.count('data-test="via-integration"') == 2  # revision.draft and api.warning.create
