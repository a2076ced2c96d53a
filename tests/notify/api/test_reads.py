"""Read endpoints: warnings with filters and pages, revisions with their snapshot, the CAP
document of a published revision, delivery summaries, reference data; `read` alone sees only
what is published, `read_drafts` everything."""

from __future__ import annotations

# Instants are passed explicitly; everything else runs on the suite's frozen scene clock
# (tests/scene_clock.py), so the fixed dates hold on any day.
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from notify.cap.validation import validate
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import Delivery
from notify.models.deliveries import Status
from tests.conftest import proposal, take_to

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture
def three_warnings(sample_users, sample_kind, sample_levels, sample_recipients):
    """A published yellow, a drafted orange exercise, a rejected red (abandoned warning)."""
    office = sample_users["office"]
    published = propose_issue(
        sample_kind,
        proposal(sample_levels["yellow"]),
        office,
        now=datetime(2026, 11, 20, tzinfo=UTC),
    )
    db.session.commit()
    take_to(published, "published", sample_users)
    drill = propose_issue(
        sample_kind,
        proposal(sample_levels["orange"]),
        office,
        now=datetime(2026, 11, 21, tzinfo=UTC),
        exercise=True,
    )
    rejected = propose_issue(
        sample_kind,
        proposal(sample_levels["red"]),
        office,
        now=datetime(2026, 11, 22, tzinfo=UTC),
        confirm_overlap=True,  # a second warning of the kind over the county, meant as such
    )
    db.session.commit()
    take_to(rejected, "rejected", sample_users)
    return published, drill, rejected


def test_warning_list_filters_and_pages(api, three_warnings):
    published, drill, rejected = three_warnings
    body = api["drafts"].get("/warnings").get_json()
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
    assert [w["id"] for w in body["items"]] == [rejected.warning_id, drill.warning_id, published.warning_id]
    assert body["items"][2]["current"]["id"] == published.id and body["items"][2]["open_proposal"] is None
    assert body["items"][1]["open_proposal"]["state"] == "draft" and body["items"][1]["is_exercise"]

    def ids(query):
        resp = api["drafts"].get(f"/warnings?{query}")
        assert resp.status_code == 200, resp.get_json()
        return [w["id"] for w in resp.get_json()["items"]]

    assert ids("status=active") == [published.warning_id]
    assert ids("status=abandoned") == [rejected.warning_id]
    assert ids("exercise=true") == [drill.warning_id]
    assert ids("exercise=false&kind=heavy_pollution") == [rejected.warning_id, published.warning_id]
    assert ids("kind=ozone") == []
    assert ids("created_after=2026-11-21T08:00:00%2B08:00") == [rejected.warning_id, drill.warning_id]
    assert ids("created_before=2026-11-21T00:00:00Z") == [published.warning_id]
    assert ids("per_page=2&page=2") == [published.warning_id]
    page = api["drafts"].get("/warnings?per_page=2").get_json()
    assert (page["total"], len(page["items"])) == (3, 2)
    assert ids("page=9") == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=alive", "status"),
        ("exercise=maybe", "exercise"),
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("page=abc", "page"),
        ("created_after=yesterday", "created_after"),
        ("kind=%00", "kind"),
        ("page=99999999999999999999", "page"),
    ],
)
def test_bad_query_parameters_are_400(api, query, field):
    resp = api["read"].get(f"/warnings?{query}")
    assert resp.status_code == 400
    assert field in resp.get_json()["error"]["fields"]


def test_warning_detail_and_revision_with_snapshot(api, three_warnings):
    published, _, _ = three_warnings
    w = api["read"].get(f"/warnings/{published.warning_id}").get_json()
    assert w["reference"] == published.warning.reference and w["status"] == "active"
    assert [r["id"] for r in w["revisions"]] == [published.id]
    r = api["read"].get(f"/revisions/{published.id}").get_json()
    assert r["state"] == "published" and r["snapshot"]["digest"] == published.snapshot.digest
    assert r["snapshot"]["content"]["texts"]["sms"]["zh"]
    assert r["audience_size"] == published.snapshot.content["audience_size"] > 0
    assert r["published_at"].endswith("+08:00")
    assert r["approval_form"] is None  # the leaders' opinions are for read_drafts
    assert (
        api["drafts"].get(f"/revisions/{published.id}").get_json()["approval_form"]["decision"] == "approved"
    )


def test_revision_list_filters(api, three_warnings):
    published, drill, rejected = three_warnings
    body = api["drafts"].get("/revisions").get_json()
    assert [r["id"] for r in body["items"]] == [rejected.id, drill.id, published.id]
    assert [r["id"] for r in api["drafts"].get("/revisions?state=draft").get_json()["items"]] == [drill.id]
    assert [
        r["id"]
        for r in api["drafts"]
        .get(f"/revisions?warning_id={published.warning_id}&action=issue")
        .get_json()["items"]
    ] == [published.id]
    assert api["drafts"].get("/revisions?action=lift").get_json()["total"] == 0


def test_read_alone_sees_published_revisions_only(api, three_warnings, sample_users, sample_levels):
    """The media centre's token: no drafts, no proposals, no approval forms with the leaders'
    opinions, no console user names, no consultations."""
    published, drill, rejected = three_warnings
    pending = propose_change(
        published.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    take_to(pending, "approved", sample_users)
    reader = api["read"]
    warnings = reader.get("/warnings").get_json()
    assert [w["id"] for w in warnings["items"]] == [published.warning_id] and warnings["total"] == 1
    assert warnings["items"][0]["open_proposal"] is None
    assert reader.get("/warnings?status=abandoned").get_json()["total"] == 0
    revisions = reader.get("/revisions").get_json()
    assert [r["id"] for r in revisions["items"]] == [published.id]
    assert reader.get("/revisions?state=approved").get_json()["total"] == 0
    w = reader.get(f"/warnings/{published.warning_id}").get_json()
    assert [r["id"] for r in w["revisions"]] == [published.id] and w["open_proposal"] is None
    r = reader.get(f"/revisions/{published.id}").get_json()
    assert r["snapshot"]["content"]["texts"]["sms"]["zh"]
    assert r["approval_form"] is None
    assert (r["author"], r["submitted_by"], r["decided_by"], r["published_by"]) == (None, None, None, None)
    for hidden in (pending, drill, rejected):
        assert reader.get(f"/revisions/{hidden.id}").status_code == 404
        assert reader.get(f"/revisions/{hidden.id}/deliveries").status_code == 404
    assert reader.get(f"/warnings/{drill.warning_id}").status_code == 404
    assert reader.get("/consultations").status_code == 403
    full = api["drafts"].get(f"/revisions/{pending.id}").get_json()
    assert full["state"] == "approved" and full["approval_form"]["leader_opinion"] == "意见"
    assert full["author"]["username"] == "office"
    assert api["drafts"].get("/consultations").status_code == 200


def test_delivery_summary_counts_per_status_and_channel(api, three_warnings):
    published, drill, _ = three_warnings
    total = published.snapshot.content["audience_size"]
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(
                db.session.query(Delivery.id)
                .filter(Delivery.revision_id == published.id)
                .limit(5)
                .scalar_subquery()
            )
        )
        .values(status=Status.DELIVERED)
    )
    db.session.commit()
    body = api["read"].get(f"/revisions/{published.id}/deliveries").get_json()
    assert body["revision_id"] == published.id and body["total"] == total
    assert body["by_status"]["delivered"] == 5 and body["by_status"]["pending"] == total - 5
    assert body["final"] == 5 and body["done"] is False
    assert sum(body["by_channel"]["sms"].values()) == total
    assert body["first_at"] is not None
    empty = api["drafts"].get(f"/revisions/{drill.id}/deliveries").get_json()
    assert (empty["total"], empty["done"], empty["first_at"]) == (0, False, None)


def test_cap_document_of_issue_and_update(api, three_warnings, sample_users, sample_levels):
    published, _, _ = three_warnings
    resp = api["read"].get(f"/revisions/{published.id}/cap")
    assert resp.status_code == 200 and resp.mimetype == "application/cap+xml"
    root = validate(resp.data)
    assert root.findtext(f"{CAP}msgType") == "Alert"
    up = propose_change(
        published.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    take_to(up, "published", sample_users)
    root = validate(api["read"].get(f"/revisions/{up.id}/cap").data)
    assert root.findtext(f"{CAP}msgType") == "Update"
    assert root.findtext(f"{CAP}references")


def test_reference_data(api, sample_kind):
    kinds = api["read"].get("/kinds").get_json()
    heavy = next(k for k in kinds if k["code"] == "heavy_pollution")
    assert [lv["code"] for lv in heavy["levels"]] == ["yellow", "orange", "red"]
    assert heavy["levels"][2]["approver_role"] == "commander"
    townships = api["read"].get("/townships").get_json()
    assert townships and all(t["code"].startswith("140322") for t in townships)
