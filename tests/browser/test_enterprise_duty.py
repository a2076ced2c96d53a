"""On a phone: an enterprise's environmental officer opens the duty link from the SMS, reads what
the plant must do and by when, confirms receipt, then confirms its measures in place with a note
and a photo; the page then says the measures are in place. On the scene clock (frozen, ticking)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from notify.extensions import db
from notify.models import EnterpriseDuty
from tests.notify.enterprises.builders import create_enterprise, create_line
from tests.notify.enterprises.duty_effect_helpers import create_plan, lime_kiln_list, link_of, publish
from tests.notify.tipoffs.fixtures import jpeg
from tests.scene_clock import SCENE_NOW

pytestmark = pytest.mark.browser


@pytest.fixture
def duty_link(app, monkeypatch, tmp_path, sample_jurisdiction, sample_users, sample_draft):
    monkeypatch.setitem(app.config, "TIPOFF_PHOTO_DIR", str(tmp_path / "photos"))
    lime_kiln_list(sample_jurisdiction)
    plant = create_enterprise(sample_jurisdiction, name="盂县甲石灰有限公司", grade="C")
    create_line(plant)
    create_plan(plant)
    sample_draft.response_start_at = SCENE_NOW + timedelta(minutes=30)
    db.session.commit()
    publish(sample_draft, sample_users, at=SCENE_NOW)
    path = link_of(sample_draft.id, plant)
    db.session.remove()  # the server thread must see committed data only
    return path


def test_an_enterprise_confirms_its_measures_in_place_on_a_phone(page, live_server, duty_link, tmp_path):
    assert page.viewport_size["width"] <= 400
    page.goto(duty_link)
    expect(page.locator("[data-test=enterprise]")).to_have_text("盂县甲石灰有限公司")
    expect(page.locator("[data-test=measure]")).to_contain_text("停产50%，以生产线计")
    expect(page.locator("[data-test=action]")).to_contain_text("50")
    expect(page.locator("[data-test=due]")).to_contain_text("2026-11-23 17:30")  # 15:30 + 2 h, Beijing
    expect(page.locator("[data-test=indicators]")).to_contain_text("日用电量")
    receive = page.locator("[data-test=receive]")
    expect(receive).to_be_visible()
    box = receive.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 44  # one big target for a thumb
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways

    receive.click()
    expect(page.locator("[data-test=duty]")).to_have_attribute("data-state", "received")
    expect(page.locator("[data-test=step-received]")).to_have_class("step-done")
    expect(page.locator("[data-test=receive]")).to_have_count(0)

    page.fill("#note", "1号窑已停，2号窑限产")
    photo = tmp_path / "kiln.jpg"
    photo.write_bytes(jpeg())
    page.set_input_files("#photo", str(photo))
    page.locator("[data-test=in-place-button]").click()
    expect(page.locator("[data-test=duty]")).to_have_attribute("data-state", "in_place")
    expect(page.locator("[data-test=in-place]")).to_be_visible()
    expect(page.locator("[data-test=note]")).to_have_text("1号窑已停，2号窑限产")
    expect(page.locator("[data-test=photo]")).to_be_visible()
    expect(page.locator("[data-test=in-place-button]")).to_have_count(0)
    duty = db.session.scalar(select(EnterpriseDuty).where(EnterpriseDuty.in_place_at.is_not(None)))
    assert duty.received_at <= duty.in_place_at and duty.in_place_photo
    db.session.remove()

    page.goto(duty_link)  # opened again later, from the same SMS
    expect(page.locator("[data-test=duty]")).to_have_attribute("data-state", "in_place")
