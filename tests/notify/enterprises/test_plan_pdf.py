"""The plan as a PDF: it parses, and carries the enterprise, its lines, each level's measure,
the indicators, the people responsible and the approval."""

from __future__ import annotations

import copy
import io

import pytest
from pypdf import PdfReader

from notify.enterprises import plan_pdf, plans
from notify.extensions import db
from tests.notify.enterprises.builders import create_enterprise, create_line, create_reduction_list


@pytest.fixture
def approved_plan(sample_jurisdiction, sample_users):
    create_reduction_list(
        sample_jurisdiction,
        {
            "industry": "lime_kiln",
            "grade": "C",
            "response": "III",
            "text_zh": "停产 50%，以生产线计",
            "action": {"stop_share": 50, "basis": "lines"},
        },
    )
    enterprise = create_enterprise(sample_jurisdiction, name="盂县示范石灰有限公司", grade="C")
    create_line(enterprise, name="1号窑", processes="煅烧", capacity_eia=600, capacity_permit=550)
    create_line(enterprise, name="2号窑", processes="煅烧", capacity_actual=420)
    plan = plans.new_draft(enterprise, sample_users["office"])
    levels = copy.deepcopy(plan.levels)
    levels["III"]["indicators"][0]["value"] = "8000"
    levels["III"]["responsible"].append({"name": "赵班长", "phone": "13912345678", "duty": "煅烧工序"})
    plans.save(plan, levels, sample_users["office"])
    plans.approve(plan, sample_users["deputy"])
    db.session.commit()
    return plan


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_parses_and_holds_the_plan(approved_plan):
    data = plan_pdf.pdf(approved_plan)
    assert data.startswith(b"%PDF-")
    text = _text(data)

    assert "盂县示范石灰有限公司" in text
    assert "停产 50%，以生产线计" in text  # the Ⅲ measure from the list
    assert "1号窑" in text and "2号窑" in text
    assert "550" in text and "420" in text  # the bases: the smallest of the three figures
    assert "预计日用电量" in text and "8000" in text
    assert "赵班长" in text and "+8613912345678" in text
    assert "第 1 版" in text and "deputy 测试" in text  # version and approver


def test_masked_numbers_for_readers_who_need_no_more(approved_plan):
    text = _text(plan_pdf.pdf(approved_plan, full_numbers=False))
    assert "+8613912345678" not in text and "5678" in text
    assert plan_pdf.filename(approved_plan).endswith("-v1.pdf")
