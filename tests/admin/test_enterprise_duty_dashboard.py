"""The enterprise duty dashboard in the console: the page per township with its filters, the live
JSON, the XLSX for the ecology bureau, who may see what, the link from the warning, and the
enterprises' figures on the records page (附件6). The revision is published on a frozen clock at
dashboard_builders.T0; the scene clock (SCENE_NOW, an hour past the deadline) reads the rest."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models import AuditEvent, Jurisdiction, Township
from tests.conftest import fresh, login, proposal, take_to
from tests.notify.enterprises.dashboard_builders import T0


def url(revision, suffix: str = "") -> str:
    return f"/admin/revisions/{revision.id}/enterprise-duties{suffix}"


def test_the_page_per_township_with_whom_to_call(
    client, sample_duty_revision, sample_duty_scene, sample_duty_towns
):
    login(client, "office")
    page = client.get(url(sample_duty_revision))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-township="total"><th>' in html and 'data-count="overdue">1<' in html
    assert 'data-count="in_place">2<' in html and 'data-count="exempt">1<' in html
    assert 'data-count="confirmed_nox" data-format="t">3.00<' in html
    assert 'data-count="percent_so2" data-format="pct">25.0%<' in html
    assert html.count("data-duty=") == 4
    overdue = html.split('data-test="overdue"')[1].split("</section>")[0]
    b = sample_duty_scene["b"]
    assert f'data-overdue="{b.enterprise.credit_code}"' in overdue and b.phone in overdue
    assert "甲石灰厂" not in overdue
    assert 'data-test="export-xlsx"' in html
    assert f'data-url="{url(sample_duty_revision, ".json")}"' in html


def test_filters_by_township_and_by_state(client, sample_duty_revision, sample_duty_scene, sample_duty_towns):
    t1, t2 = sample_duty_towns
    login(client, "office")
    one = client.get(url(sample_duty_revision) + f"?township={t2.id}").get_data(as_text=True)
    assert one.count("data-duty=") == 2 and f'data-township="{t1.id}"' not in one
    assert f"township={t2.id}" in one  # the live figures keep to the township
    overdue = client.get(url(sample_duty_revision) + "?only=overdue").get_data(as_text=True)
    assert overdue.count("data-duty=") == 1 and 'data-overdue="true"' in overdue
    both = client.get(url(sample_duty_revision) + f"?only=in_place&township={t2.id}").get_data(as_text=True)
    assert both.count("data-duty=") == 1 and "丙铸造厂" in both
    for bad in ("?only=everything", "?township=x", "?township=99999", "?township=99999999999999999999"):
        assert client.get(url(sample_duty_revision) + bad).status_code == 400, bad


def test_another_countys_township_is_refused(client, sample_duty_revision, sample_duty_scene):
    other = Jurisdiction(code="130481", name_zh="武安市", name_en="Wu'an")
    db.session.add(other)
    db.session.flush()
    town = Township(jurisdiction_id=other.id, code="130481100", name_zh="武安镇", name_en="Wu'an")
    db.session.add(town)
    db.session.commit()
    login(client, "office")
    assert client.get(url(sample_duty_revision) + f"?township={town.id}").status_code == 400


def test_the_live_json(client, sample_duty_revision, sample_duty_scene, sample_duty_towns):
    t1, t2 = sample_duty_towns
    login(client, "deputy")
    answer = client.get(url(sample_duty_revision, ".json"))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    data = answer.get_json()
    total = data["total"]
    assert (total["enterprises"], total["overdue"], total["in_place"], total["late"]) == (4, 1, 2, 1)
    assert (total["expected_so2"], total["confirmed_so2"], total["percent_so2"]) == (4.0, 1.0, 25.0)
    assert [t["township_id"] for t in data["townships"]] == [t1.id, t2.id] and data["at"]
    one = client.get(url(sample_duty_revision, ".json") + f"?township={t1.id}").get_json()
    assert [t["township_id"] for t in one["townships"]] == [t1.id] and one["total"]["overdue"] == 1
    assert client.get(url(sample_duty_revision, ".json") + "?township=x").status_code == 400


@pytest.mark.parametrize("username", ["office", "admin"])
def test_the_export_for_the_ecology_bureau(username, client, sample_duty_revision, sample_duty_scene):
    login(client, username)
    answer = client.get(url(sample_duty_revision, ".xlsx"))
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in answer.headers["Content-Disposition"]
    summary, detail = load_workbook(io.BytesIO(answer.data)).worksheets
    assert list(summary.iter_rows(values_only=True))[-1][0] == "合计"
    rows = list(detail.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4 and sample_duty_scene["b"].phone in {r[7] for r in rows}
    fresh()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "records.exported"))
    assert event.warning_id == sample_duty_revision.warning_id and "enterprise duties" in event.summary


@pytest.mark.parametrize("username", ["deputy", "commander", "publicity"])
def test_leaders_and_publicity_read_with_masked_numbers_and_export_nothing(
    username, client, sample_duty_revision, sample_duty_scene
):
    login(client, username)
    html = client.get(url(sample_duty_revision)).get_data(as_text=True)
    phone = sample_duty_scene["b"].phone
    assert phone not in html and phone[-4:] in html
    assert 'data-test="export-xlsx"' not in html
    assert client.get(url(sample_duty_revision, ".xlsx")).status_code == 403


def test_member_units_have_no_enterprise_dashboard(client, sample_duty_revision, sample_duty_scene):
    """Member units are tied to no township in the model, so none reads the county's enterprises."""
    login(client, "unit")
    for suffix in ("", ".json", ".xlsx"):
        assert client.get(url(sample_duty_revision, suffix)).status_code == 403, suffix


def test_a_revision_without_duties_and_a_missing_one(client, sample_duty_revision):
    login(client, "office")
    page = client.get(url(sample_duty_revision))
    assert page.status_code == 200 and 'data-test="no-duties"' in page.get_data(as_text=True)
    assert client.get("/admin/revisions/99999/enterprise-duties").status_code == 404
    assert client.get("/admin/revisions/99999/enterprise-duties.json").status_code == 404


def test_an_earlier_revision_points_to_the_one_that_replaced_its_duties(
    client, sample_duty_revision, sample_users, sample_levels
):
    with freeze_time(T0 + timedelta(minutes=30)):
        upgrade = propose_change(
            sample_duty_revision.warning,
            "upgrade",
            proposal(sample_levels["orange"], response_start_at=T0 + timedelta(hours=1)),
            sample_users["office"],
        )
        db.session.commit()
    with freeze_time(T0 + timedelta(hours=1)):
        take_to(upgrade, "published", sample_users)
    login(client, "office")
    first = client.get(url(sample_duty_revision)).get_data(as_text=True)
    assert 'data-test="newer"' in first and url(upgrade) in first
    assert 'data-test="newer"' not in client.get(url(upgrade)).get_data(as_text=True)


def test_a_draft_has_no_dashboard(client, sample_draft, sample_users):
    login(client, "office")
    for suffix in ("", ".json", ".xlsx"):
        assert client.get(url(sample_draft, suffix)).status_code == 404


def test_the_warning_links_each_published_revision(client, sample_duty_revision, sample_duty_scene):
    login(client, "office")
    html = client.get(f"/admin/warnings/{sample_duty_revision.warning_id}").get_data(as_text=True)
    assert (
        f'data-test="enterprise-duties-{sample_duty_revision.id}"' in html
        and url(sample_duty_revision) in html
    )


def test_the_records_page_and_form_6_carry_the_enterprises(client, sample_duty_revision, sample_duty_scene):
    login(client, "office")
    wid = sample_duty_revision.warning_id
    html = client.get(f"/admin/warnings/{wid}/records").get_data(as_text=True)
    assert 'data-test="stat-enterprises"' in html and 'data-step="1"' in html
    book = load_workbook(io.BytesIO(client.get(f"/admin/warnings/{wid}/records/statistics.xlsx").data)).active
    values = {row[0]: row[1] for row in book.iter_rows(min_row=3, values_only=True) if row[0]}
    # A on time, B past its deadline, C late; D exempt.
    assert values["企业停限产落实"] == (
        "停产限产企业3家（指令3次），按时落实到位1次，逾期落实1次，逾期未落实1次；豁免企业1家"
    )
    assert values["企业减排量"].startswith("已确认/应减（吨/日）：\n#1 ")
