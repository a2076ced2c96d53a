"""The approver sees, before deciding a heavy-pollution revision, the industrial reduction its
response would bring: per pollutant the baseline, the expected cut, the percentage and the
target, with the pollutants that fall short marked."""

from __future__ import annotations

import re

from notify.enterprises.reduction_lists import load_list, read_bundled
from notify.extensions import db
from tests.conftest import login, take_to
from tests.notify.enterprises.builders import create_enterprise


def _row(page: str, pollutant: str) -> str:
    match = re.search(rf'<tr data-pollutant="{pollutant}"[^>]*>.*?</tr>', page, re.S)
    assert match, pollutant
    return match.group(0)


def _county(jurisdiction) -> None:
    load_list(jurisdiction, read_bundled("140322"))
    # 石灰窑 C at Ⅲ stops half: SO2 0.100 a day of 0.300 with the D plant's 0.200 → 0.250 (83.3 %).
    create_enterprise(jurisdiction, industry="lime_kiln", grade="C", so2_tpa=33, nox_tpa=66, pm_tpa=3.3)
    create_enterprise(jurisdiction, industry="lime_kiln", grade="D", so2_tpa=66, nox_tpa=33, pm_tpa=0)
    # 工业涂装 A only volunteers: VOCs 0.100 a day, nothing cut, short of 20 %.
    create_enterprise(
        jurisdiction, industry="industrial_coating", grade="A", so2_tpa=0, nox_tpa=0, pm_tpa=0, vocs_tpa=33
    )
    db.session.commit()


def test_the_approver_sees_the_figures_and_the_short_pollutant(
    client, sample_jurisdiction, sample_draft, sample_users
):
    _county(sample_jurisdiction)
    take_to(sample_draft, "pending_approval", sample_users)
    login(client, "deputy")
    page = client.get(f"/admin/revisions/{sample_draft.id}").get_data(as_text=True)
    assert 'data-test="reduction-preview"' in page and 'id="decision-form"' in page
    assert page.index('data-test="reduction-preview"') < page.index('id="decision-form"')
    so2 = _row(page, "so2")
    assert "0.300" in so2 and "0.250" in so2 and "83.3 %" in so2 and "20 %" in so2
    assert "data-short" not in so2
    nox = _row(page, "nox")
    assert "0.300" in nox and "0.200" in nox and "66.7 %" in nox
    vocs = _row(page, "vocs")
    assert 'data-short="1"' in vocs and "0.100" in vocs and "0.000" in vocs and "0.0 %" in vocs
    short = re.search(r'data-test="reduction-short">(.*?)</p>', page, re.S)
    assert short and "VOCs" in short.group(1) and "NOx" not in short.group(1)


def test_without_a_list_the_approver_is_told(client, sample_draft, sample_users):
    take_to(sample_draft, "pending_approval", sample_users)
    login(client, "deputy")
    page = client.get(f"/admin/revisions/{sample_draft.id}").get_data(as_text=True)
    assert 'data-test="no-reduction-list"' in page and 'data-test="reduction-table"' not in page


def test_a_draft_shows_no_preview(client, sample_jurisdiction, sample_draft):
    _county(sample_jurisdiction)
    login(client, "office")
    page = client.get(f"/admin/revisions/{sample_draft.id}").get_data(as_text=True)
    assert 'data-test="reduction-preview"' not in page
