"""On a phone: the head of a school opens the link from the SMS, reads the notice, confirms with
one press and sees it recorded; opening the link again shows it was already confirmed. Then the
education bureau's dashboard, already open, shows the confirmation without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from notify.extensions import db
from notify.models import Delivery, SchoolNotice
from tests.browser.conftest import console_login
from tests.conftest import take_to

pytestmark = pytest.mark.browser


@pytest.fixture
def school_notice(sample_jurisdiction, sample_users, sample_draft):
    from notify.demo.schools import seed_schools

    seed_schools(sample_jurisdiction)
    db.session.commit()
    take_to(sample_draft, "published", sample_users)
    delivery = db.session.scalar(
        select(Delivery).where(Delivery.purpose == "school_notice").order_by(Delivery.id).limit(1)
    )
    path = re.search(r"/a/\S+", delivery.body).group(0)
    revision_id = sample_draft.id
    db.session.remove()  # the server thread must see committed data only
    return revision_id, path


def test_a_head_confirms_on_a_phone_and_the_bureau_sees_it(page, browser, live_server, school_notice):
    revision_id, path = school_notice
    assert page.viewport_size["width"] <= 400
    page.goto(path)
    expect(page.locator("[data-test=school]")).to_have_text("盂县第一中学校")
    expect(page.locator("[data-test=items]")).to_contain_text("停止室外课程及活动")
    button = page.locator("[data-test=confirm]")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 44  # one big target for a thumb
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways

    bureau = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server).new_page()
    console_login(bureau, "unit")
    bureau.goto(f"/admin/revisions/{revision_id}/schools")
    total = bureau.locator("tr[data-township=total] [data-count=acknowledged]")
    expect(total).to_have_text("0")

    page.fill("#name", "张校长")
    button.click()
    expect(page.locator("[data-test=confirmed]")).to_contain_text("张校长")
    expect(page.locator("[data-test=confirm]")).to_have_count(0)
    notice = db.session.scalar(select(SchoolNotice).where(SchoolNotice.acknowledged_at.is_not(None)))
    assert (notice.acknowledged_by, notice.acknowledged_via) == ("张校长", "link")
    db.session.remove()

    page.goto(path)  # opened again later, from the same SMS
    expect(page.locator("[data-test=ack]")).to_have_attribute("data-state", "acknowledged")
    expect(page.locator("[data-test=confirmed]")).to_contain_text("张校长")

    expect(total).to_have_text("1", timeout=10000)  # the dashboard polls; no reload
    bureau.context.close()
