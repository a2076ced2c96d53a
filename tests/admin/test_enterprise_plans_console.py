"""一厂一策 in the console: the office drafts a plan from the list and edits it, another person
approves it, every role reads it and downloads the PDF, bad input comes back with its reasons."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from notify.enterprises import plans
from notify.extensions import db
from notify.models import EnterprisePlan, Jurisdiction, Township
from tests.conftest import login
from tests.notify.enterprises.builders import create_enterprise, create_line, create_reduction_list


@pytest.fixture
def kiln(sample_jurisdiction):
    create_reduction_list(
        sample_jurisdiction,
        *[
            {
                "industry": "lime_kiln",
                "grade": "C",
                "response": r,
                "text_zh": text,
                "action": action,
            }
            for r, text, action in (
                ("III", "停产 50%，以生产线计", {"stop_share": 50, "basis": "lines"}),
                ("II", "停产 50%，以生产线计", {"stop_share": 50, "basis": "lines"}),
                ("I", "停产", {"stop_share": 100, "basis": "whole_plant"}),
            )
        ],
    )
    enterprise = create_enterprise(sample_jurisdiction, name="盂县石灰窑厂", env_officer="王环保")
    create_line(enterprise, name="1号窑")
    create_line(enterprise, name="2号窑")
    db.session.commit()
    return enterprise


@pytest.fixture
def app(app, client):
    """The app with the `client` fixture's settings (CSRF off) for every client made here."""
    return app


def _as(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def form_of(levels: dict) -> dict:
    """The edit form's fields for `levels`, as the browser posts them."""
    data: dict = {}
    for r, level in levels.items():
        data[f"{r}-text"] = level.get("text", "")
        data[f"{r}-lines"] = [str(i) for i in level.get("lines", [])]
        data[f"{r}-processes"] = "、".join(level.get("processes", []))
        for name in ("prep_hours", "rotation_batches", "stop_share", "limit_share"):
            value = level.get(name)
            data[f"{r}-{name}"] = "" if value is None else str(value)
        for group in ("indicators", "responsible"):
            for i, row in enumerate(level.get(group, [])):
                for column, value in row.items():
                    data[f"{r}-{group}-{i}-{column}"] = str(value)
    return data


def _draft_through_the_console(client, kiln) -> EnterprisePlan:
    answer = client.post(f"/admin/enterprises/{kiln.id}/plans")
    assert answer.status_code == 302
    plan = db.session.scalar(select(EnterprisePlan).where(EnterprisePlan.enterprise_id == kiln.id))
    assert answer.headers["Location"].endswith(f"/admin/enterprise-plans/{plan.id}")
    return plan


def test_draft_edit_approve_by_another_and_download(app, sample_users, kiln):
    office, deputy = _as(app, "office"), _as(app, "deputy")
    page = office.get(f"/admin/enterprises/{kiln.id}/plans")
    assert page.status_code == 200 and "盂县石灰窑厂" in page.text and 'data-test="new-version"' in page.text

    plan = _draft_through_the_console(office, kiln)
    form = office.get(f"/admin/enterprise-plans/{plan.id}")
    assert form.status_code == 200
    assert all(f'data-level="{r}"' in form.text for r in ("III", "II", "I"))
    assert "停产 50%，以生产线计" in form.text  # the list's measure, prefilled

    data = form_of(plan.levels)
    data["II-prep_hours"] = "3"
    data["II-responsible-1-name"] = "赵班长"
    data["II-responsible-1-phone"] = "13912345678"
    data["II-responsible-1-duty"] = "煅烧工序"
    data["I-indicators-0-value"] = "9000"
    saved = office.post(f"/admin/enterprise-plans/{plan.id}", data=data)
    assert saved.status_code == 302
    db.session.refresh(plan)
    assert plan.levels["II"]["prep_hours"] == 3
    assert plan.levels["II"]["responsible"][1] == {
        "name": "赵班长",
        "phone": "+8613912345678",
        "duty": "煅烧工序",
    }
    assert plan.levels["I"]["indicators"][0]["value"] == 9000

    # The office saved it last: no button for it, and a refusal if it tries.
    assert 'data-test="own-draft"' in office.get(f"/admin/enterprise-plans/{plan.id}").text
    refused = office.post(f"/admin/enterprise-plans/{plan.id}/approve")
    assert refused.status_code == 403 and "须由他人批准" in refused.text

    assert 'data-test="approve"' in deputy.get(f"/admin/enterprise-plans/{plan.id}").text
    assert deputy.post(f"/admin/enterprise-plans/{plan.id}/approve").status_code == 302
    db.session.refresh(plan)
    assert plan.state == "approved" and plan.approved_by_id == sample_users["deputy"].id

    versions = deputy.get(f"/admin/enterprises/{kiln.id}/plans").text
    assert re.search(r'data-version="1" data-state="approved"', versions)

    pdf = _as(app, "publicity").get(f"/admin/enterprise-plans/{plan.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    text += "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages[1:])
    assert "盂县石灰窑厂" in text and "赵班长" in text
    assert "+8613912345678" not in text  # publicity reads the numbers masked


def test_bad_input_comes_back_with_reasons_and_nothing_lost(app, sample_users, kiln):
    office = _as(app, "office")
    plan = _draft_through_the_console(office, kiln)
    before = dict(plan.levels)
    data = form_of(plan.levels)
    data.update(
        {
            "III-prep_hours": "80",
            "III-stop_share": "150",
            "III-rotation_batches": "5",
            "III-text": "我改过的措施文字",
            "II-responsible-0-phone": "12345",
            "IV-text": "蓝色预警措施",  # a level the heavy-pollution warning does not have
        }
    )
    answer = office.post(f"/admin/enterprise-plans/{plan.id}", data=data)

    assert answer.status_code == 400
    page = answer.text
    assert "0至72小时" in page and "0至100的百分数" in page and "1至3批" in page
    assert "不是有效的手机号码" in page and "没有IV级" in page
    for kept in ('value="80"', 'value="150"', "我改过的措施文字", 'value="12345"'):
        assert kept in page
    db.session.refresh(plan)
    assert plan.levels == before


def test_roles_and_refusals(app, sample_users, kiln, sample_jurisdiction):
    office = _as(app, "office")
    plan = _draft_through_the_console(office, kiln)

    # Every console role reads; only the office and the administrator draft; approvers approve.
    for who in ("unit", "publicity", "commander", "admin"):
        assert _as(app, who).get(f"/admin/enterprise-plans/{plan.id}").status_code == 200
    deputy = _as(app, "deputy")
    assert deputy.post(f"/admin/enterprise-plans/{plan.id}", data=form_of(plan.levels)).status_code == 403
    assert _as(app, "publicity").post(f"/admin/enterprises/{kiln.id}/plans").status_code == 403
    assert _as(app, "admin").post(f"/admin/enterprise-plans/{plan.id}/approve").status_code == 403

    # A second draft while one is open: refused with the reason.
    again = _as(app, "admin").post(f"/admin/enterprises/{kiln.id}/plans")
    assert again.status_code == 409 and "仍为草稿" in again.text

    # An approved version is read-only; editing it is refused.
    assert _as(app, "commander").post(f"/admin/enterprise-plans/{plan.id}/approve").status_code == 302
    page = office.get(f"/admin/enterprise-plans/{plan.id}")
    assert 'data-test="plan-form"' not in page.text
    late = office.post(f"/admin/enterprise-plans/{plan.id}", data=form_of(plan.levels))
    assert late.status_code == 409 and "已不是草稿" in late.text

    # A new version copies it; approving that one supersedes it.
    office.post(f"/admin/enterprises/{kiln.id}/plans")
    second = plans.open_draft(kiln.id)
    assert second.version == 2
    assert _as(app, "deputy2").post(f"/admin/enterprise-plans/{second.id}/approve").status_code == 302
    db.session.refresh(plan)
    assert plan.state == "superseded" and plans.current_plan(kiln.id).id == second.id


def test_another_countys_enterprise_is_not_found(app, sample_users, kiln):
    elsewhere = Jurisdiction(code="130481", name_zh="武安市", name_en="Wu'an")
    db.session.add(elsewhere)
    db.session.flush()
    township = Township(jurisdiction=elsewhere, code="130481001", name_zh="武安镇", name_en="Wu'an")
    db.session.add(township)
    db.session.flush()
    foreign = create_enterprise(elsewhere, township=township)
    db.session.commit()
    office = _as(app, "office")
    assert office.get(f"/admin/enterprises/{foreign.id}/plans").status_code == 404
    assert office.post(f"/admin/enterprises/{foreign.id}/plans").status_code == 404
