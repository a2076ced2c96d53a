"""On a phone-sized screen: find an enterprise in the county's grading list, open its notice board
while a warning is in force and see the measure it must take now and its grade, then report it
from the board: the tip-off form names the enterprise and starts at its township, and the sent
tip-off appears on the board."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notify.extensions import db
from tests.conftest import take_to
from tests.notify.enterprises.board_builders import MEASURE_III, create_duty, create_plan
from tests.notify.enterprises.builders import create_enterprise

pytestmark = pytest.mark.browser


def _fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px screen"


@pytest.fixture
def enterprise_with_a_duty(sample_jurisdiction, sample_users, sample_draft):
    take_to(sample_draft, "published", sample_users)
    township = sample_jurisdiction.townships[2]
    # Created after publishing: the duty is the builder's, not the publication's own.
    e = create_enterprise(sample_jurisdiction, name="盂县晋龙石灰有限公司", grade="B", township=township)
    create_enterprise(sample_jurisdiction, name="盂县宏达铸造有限公司", industry="foundry")
    create_plan(e)
    create_duty(sample_draft, e)
    db.session.commit()
    code, township_id = e.credit_code, township.id
    db.session.remove()  # the server thread must see committed data only
    return code, township_id


def test_board_shows_the_measure_in_force_and_reports_the_enterprise(
    page, enterprise_with_a_duty, sample_tipoff_env
):
    code, township_id = enterprise_with_a_duty
    assert page.viewport_size["width"] <= 400
    page.goto("/enterprises")
    expect(page.locator("[data-test=enterprises] li")).to_have_count(2)
    _fits_the_screen(page)
    page.fill("[data-test=search]", "晋龙")
    page.click("[data-test=search-button]")
    expect(page.locator("[data-test=enterprises] li")).to_have_count(1)
    page.click("[data-test=enterprises] a.name")

    expect(page).to_have_url(re.compile(rf"/enterprises/{code}$"))
    expect(page.locator("[data-test=enterprise-name]")).to_have_text("盂县晋龙石灰有限公司")
    expect(page.locator(".facts [data-test=grade]")).to_contain_text("B")
    in_force = page.locator("[data-test=in-force]")
    expect(in_force.locator("[data-test=measure]")).to_have_text(MEASURE_III)
    expect(in_force.locator(".measure-card")).to_have_attribute("data-level", "yellow")
    expect(page.locator("[data-test=no-response]")).to_have_count(0)
    _fits_the_screen(page)

    page.click("[data-test=report]")
    expect(page).to_have_url(re.compile(rf"/tipoffs/new\?enterprise={code}$"))
    expect(page.locator("[data-test=about-enterprise]")).to_contain_text("盂县晋龙石灰有限公司")
    expect(page.locator("select[name=township]")).to_have_value(str(township_id))
    expect(page.locator("input[name=enterprise]")).to_have_value(code)
    _fits_the_screen(page)

    page.wait_for_function(
        "() => { const i = document.getElementById('captcha-image'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    page.fill("textarea[name=description]", "预警期间该厂夜间仍在生产，烟囱冒烟。")
    page.fill("input[name=address]", "石灰厂东门")
    page.fill("input[name=captcha]", sample_tipoff_env[-1])
    page.click("[data-test=send]")
    number = page.locator("[data-test=ticket-number]").inner_text()

    page.goto(f"/enterprises/{code}")
    expect(page.locator(f"[data-test=tipoffs] li[data-ticket='{number}']")).to_be_visible()
    expect(page.locator("[data-test=tipoffs]")).not_to_contain_text("石灰厂东门")
