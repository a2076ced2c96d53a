"""附件6 gains the enterprises' figures: ordered to stop or limit, in place on time, late, not in
place by the deadline, exempt, and per step the reduction confirmed of expected. Revisions are
published on a frozen clock (dashboard_builders.T0); the figures are read at an explicit instant."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from notify.enterprises import record_figures
from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.records import exports, forms
from tests.conftest import proposal, take_to
from tests.notify.enterprises.builders import create_enterprise
from tests.notify.enterprises.dashboard_builders import T0, create_duty, create_exemption

NOW = T0 + timedelta(hours=5)


@pytest.fixture
def response(sample_draft, sample_users, sample_levels, sample_jurisdiction):
    """Yellow at T0, orange an hour later (before the first deadline). A: in place on time for
    yellow, late for orange. B: never confirms; its yellow duty is replaced before its deadline,
    its orange one runs out. C: exempt, told once."""
    with freeze_time(T0):
        take_to(sample_draft, "published", sample_users)
    with freeze_time(T0 + timedelta(minutes=30)):
        upgrade = propose_change(
            sample_draft.warning,
            "upgrade",
            proposal(sample_levels["orange"], response_start_at=T0 + timedelta(hours=1)),
            sample_users["office"],
        )
        db.session.commit()
    with freeze_time(T0 + timedelta(hours=1)):
        take_to(upgrade, "published", sample_users)
    town = sample_jurisdiction.townships[0]
    a = create_enterprise(sample_jurisdiction, township=town, name="甲石灰厂")
    b = create_enterprise(sample_jurisdiction, township=town, name="乙石灰厂")
    c = create_enterprise(sample_jurisdiction, township=town, name="丙供热站", grade="exempt")
    replaced = upgrade.published_at
    yellow = {"so2": 1.0, "nox": 2.0, "pm": 0.5, "vocs": 0.0}
    orange = {"so2": 2.0, "nox": 4.0, "pm": 1.0, "vocs": 0.0}
    create_duty(
        sample_draft, a, reduction=yellow, in_place_at=T0 + timedelta(minutes=30), superseded_at=replaced
    )
    create_duty(sample_draft, b, reduction=yellow, superseded_at=replaced)
    create_exemption(sample_draft, c)
    create_duty(
        upgrade, a, response="II", reduction=orange, in_place_at=replaced + timedelta(hours=2, minutes=15)
    )
    create_duty(upgrade, b, response="II", reduction=orange)
    db.session.commit()
    return sample_draft.warning


def test_the_enterprises_figures_of_a_response(response):
    figures = record_figures.of_warning(response, NOW)
    assert (figures.enterprises, figures.orders) == (2, 4)
    assert (figures.on_time, figures.late, figures.missed, figures.exempt) == (1, 1, 1, 1)
    first, second = figures.steps
    assert first.revision.sequence == 1 and second.revision.sequence == 2
    assert first.expected == pytest.approx({"so2": 2.0, "nox": 4.0, "pm": 1.0, "vocs": 0.0})
    assert first.confirmed == pytest.approx({"so2": 1.0, "nox": 2.0, "pm": 0.5, "vocs": 0.0})
    assert second.expected["nox"] == pytest.approx(8.0) and second.share("nox") == 50.0
    assert first.pollutants() == ["so2", "nox", "pm"]  # no VOCs expected nor confirmed


def test_an_order_is_missed_only_once_its_deadline_has_passed(response):
    due = response.revisions[1].published_at + timedelta(hours=2)
    assert record_figures.of_warning(response, due).missed == 0
    assert record_figures.of_warning(response, due + timedelta(seconds=1)).missed == 1


def test_form_6_carries_them(response, tmp_path):
    rows = record_figures.form_rows(record_figures.of_warning(response, NOW))
    doc = forms.statistics_form(response, NOW, enterprise_rows=rows)
    values = dict(doc.rows)
    assert values["企业停限产落实"] == (
        "停产限产企业2家（指令4次），按时落实到位1次，逾期落实1次，逾期未落实1次；豁免企业1家"
    )
    assert values["企业减排量"] == (
        "已确认/应减（吨/日）：\n"
        "#1 黄色预警（Ⅲ级响应）：SO2 1.00/2.00（50.0%）；NOx 2.00/4.00（50.0%）；颗粒物 0.50/1.00（50.0%）\n"
        "#2 橙色预警（Ⅱ级响应）：SO2 2.00/4.00（50.0%）；NOx 4.00/8.00（50.0%）；颗粒物 1.00/2.00（50.0%）"
    )
    labels = [label for label, _value in doc.rows]
    assert labels.index("企业停限产落实") == labels.index("累计响应次数") + 1
    assert labels.index("企业减排量") + 1 == labels.index("应急响应措施总结")
    sheet = load_workbook(io.BytesIO(exports.xlsx(doc))).active
    cells = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert cells["企业停限产落实"].startswith("停产限产企业2家")
    path = tmp_path / "form6.pdf"
    path.write_bytes(exports.pdf(doc))
    text = (
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
        )
        .stdout.decode()
        .replace("\n", "")
    )  # the value wraps in its cell
    assert "企业停限产落实" in text and "逾期未落实1次" in text


def test_a_response_without_enterprise_duties_keeps_the_plain_form(sample_published):
    figures = record_figures.of_warning(sample_published.warning, NOW)
    assert not figures.any and figures.steps == []
    assert record_figures.form_rows(figures) == [] and record_figures.form_rows(None) == []
    plain = forms.statistics_form(sample_published.warning, NOW)
    assert "企业停限产落实" not in dict(plain.rows)
