"""Drafting a change in the console: the form starts from the new step's own headline and no
consultation; a second warning over an area already warned is flagged before it is saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from notify.extensions import db
from notify.lifecycle.proposals import propose_issue
from notify.models import Consultation, Revision, Warning
from tests.conftest import fresh, login, proposal, take_to

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 Beijing time


def _form(page: str, form_id: str) -> dict[str, object]:
    """What the browser would post from the page as it stands (checked boxes only)."""
    form = next(f for f in lxml.html.fromstring(page).forms if f.get("id") == form_id)
    values: dict[str, object] = {}
    for name, value in form.form_values():
        if name in values:
            existing = values[name]
            values[name] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            values[name] = value
    return values


@pytest.fixture
def orange_in_force(sample_jurisdiction, sample_users, sample_kind, sample_levels, sample_recipients):
    """An orange warning published on its consultation, and 30 hours later the office at work."""
    with freeze_time(T0):
        consultation = Consultation(
            jurisdiction_id=sample_jurisdiction.id,
            concluded_at=T0,
            conclusion="预计日AQI>200持续48小时，建议升级为橙色预警",
            reporter="张建义",
            created_by=sample_users["office"],
        )
        db.session.add(consultation)
        revision = propose_issue(
            sample_kind,
            proposal(
                sample_levels["orange"],
                consultation=consultation,
                headline_zh="盂县重污染天气预警升级为橙色，启动Ⅱ级应急响应",
                headline_en="Yu County raises the heavy-pollution warning to orange",
            ),
            sample_users["office"],
        )
        db.session.commit()
        take_to(revision, "published", sample_users)
    return revision.warning


@pytest.mark.parametrize(
    ("action", "zh", "en"),
    [
        (
            "downgrade",
            "盂县重污染天气预警降级为黄色预警，调整为Ⅲ级响应",
            "Yu County lowers the heavy pollution weather warning to a yellow warning; "
            "level III response applies",
        ),
        (
            "extend",
            "盂县重污染天气橙色预警延长，继续实施Ⅱ级响应",
            "Yu County extends the orange warning for heavy pollution weather; level II response continues",
        ),
        (
            "lift",
            "盂县解除重污染天气橙色预警，终止Ⅱ级响应",
            "Yu County lifts the orange warning for heavy pollution weather; level II response ends",
        ),
    ],
)
def test_a_change_starts_from_its_own_headline_and_no_consultation(action, zh, en, client, orange_in_force):
    warning_id = orange_in_force.id
    with freeze_time(T0 + timedelta(hours=30), tick=True):
        login(client, "office")
        page = client.get(f"/admin/warnings/{warning_id}/revise/{action}").get_data(as_text=True)
        values = _form(page, "proposal-form")
        assert (values["headline_zh"], values["headline_en"]) == (zh, en)
        assert values["consultation"] == "0"
        if action == "extend":
            values["episode_end"] = "2026-11-27T08:00"
        saved = client.post(f"/admin/warnings/{warning_id}/revise/{action}", data=values)
        assert saved.status_code == 302, saved.get_data(as_text=True)
        fresh()
        draft = db.session.scalar(select(Revision).where(Revision.action == action))
        assert draft.headline_zh == zh and draft.consultation is None
        page = client.get(f"/admin/revisions/{draft.id}").get_data(as_text=True)
        # Nothing owed against the old consultation, and the approval form starts empty of it.
        assert 'data-status="overdue"' not in page
        assert "建议升级为橙色预警" not in _form(page, "submit-form")["basis"]
        assert str(_form(page, "submit-form")["main_content"]).strip() == zh


def test_a_new_warning_starts_from_the_issue_headline_of_its_level(client, sample_users):
    login(client, "office")
    page = client.get("/admin/warnings/new/heavy_pollution?level=red").get_data(as_text=True)
    values = _form(page, "proposal-form")
    assert values["headline_zh"] == "盂县发布重污染天气红色预警，启动Ⅰ级响应"
    assert values["headline_en"].startswith("Yu County issues a red warning")


def _count(model) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_second_warning_over_the_same_area_is_flagged_before_it_is_saved(client, orange_in_force):
    reference = orange_in_force.reference
    login(client, "office")
    page = client.get("/admin/warnings/new/heavy_pollution").get_data(as_text=True)
    assert f'data-in-force="{reference}"' in page and 'name="confirm_overlap"' in page
    values = _form(page, "proposal-form")
    assert "confirm_overlap" not in values

    refused = client.post("/admin/warnings/new/heavy_pollution", data=values)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'data-test="overlap-error"' in body and reference in body
    assert _count(Warning) == 1

    saved = client.post("/admin/warnings/new/heavy_pollution", data={**values, "confirm_overlap": "y"})
    assert saved.status_code == 302
    assert _count(Warning) == 2


def test_another_kind_is_not_flagged(client, orange_in_force):
    login(client, "office")
    page = client.get("/admin/warnings/new/production_safety").get_data(as_text=True)
    assert "data-in-force" not in page
    assert (
        client.post("/admin/warnings/new/production_safety", data=_form(page, "proposal-form")).status_code
        == 302
    )
