"""In a real browser on a phone-sized screen: report a violation with a photo that carries GPS,
take the photo's location as the map point, send it, then follow the ticket with its number and
query code from a browser that has never seen it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from notify.extensions import db
from notify.models import Tipoff
from notify.tipoffs import storage
from tests.notify.tipoffs.fixtures import LAT, LON, jpeg

pytestmark = pytest.mark.browser


def test_report_with_a_photo_and_follow_it(page, sample_tipoff_env, sample_jurisdiction):
    db.session.remove()  # the server thread must see committed data only
    assert page.viewport_size["width"] <= 400
    page.goto("/")
    page.click("[data-test=nav-tipoff]")
    expect(page.locator("h1")).to_have_text("我要举报")
    expect(page.locator("[data-test=reward-note]")).to_contain_text("实名举报")
    page.wait_for_function(
        "() => { const i = document.getElementById('captcha-image'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    answer = sample_tipoff_env[-1]

    page.select_option("select[name=category]", "production_during_shutdown")
    page.fill("textarea[name=description]", "重污染预警期间，该厂夜间仍在生产，烟囱冒黑烟。")
    page.select_option("select[name=township]", index=1)
    page.fill("input[name=address]", "孙家庄镇某铸造厂")
    page.set_input_files(
        "input[name=photos]",
        files=[
            {
                "name": "IMG_2041.jpg",
                "mimeType": "image/jpeg",
                "buffer": jpeg(size=(3000, 2000), gps=(LAT, LON)),
            }
        ],
    )
    # The browser offers the photo's GPS position before the server strips it.
    expect(page.locator("[data-test=photo-location]")).to_be_visible()
    page.click("[data-test=use-photo-location]")
    expect(page.locator("input[name=latitude]")).to_have_value(re.compile(r"^38\.08"))
    expect(page.locator("input[name=longitude]")).to_have_value(re.compile(r"^113\.41"))
    page.check("input[name=identity][value=real_name]")
    page.fill("input[name=name]", "赵六")
    page.fill("input[name=phone]", "13800138000")
    page.fill("input[name=captcha]", answer)
    page.click("[data-test=send]")

    number = page.locator("[data-test=ticket-number]").inner_text()
    code = page.locator("[data-test=query-code]").inner_text()
    assert re.fullmatch(r"JB-\d{8}-\d{4}", number) and len(code) == 14
    page.click("[data-test=follow]")
    expect(page.locator("[data-test=state]")).to_have_attribute("data-state", "received")

    # Another browser (no session): the number alone leads to the look-up form.
    page.context.clear_cookies()
    page.goto(f"/tipoffs/status/{number}")
    expect(page.locator("[data-test=lookup-form]")).to_be_visible()
    page.fill("input[name=ticket]", number)
    page.fill("input[name=code]", "WRONG-CODE")
    page.click("[data-test=lookup]")
    expect(page.locator("[data-test=form-message]")).to_contain_text("没有与该受理编号和查询码相符的举报")
    page.fill("input[name=code]", code)
    page.click("[data-test=lookup]")
    expect(page.locator("[data-test=state]")).to_have_text("已收到")
    expect(page.locator("[data-test=address]")).to_have_text("孙家庄镇某铸造厂")
    expect(page.locator("body")).not_to_contain_text("赵六")

    tipoff = db.session.scalar(select(Tipoff).where(Tipoff.ticket_number == number))
    assert tipoff.latitude == pytest.approx(LAT, abs=1e-4) and not tipoff.anonymous
    stored = Image.open(io.BytesIO(storage.path_of(tipoff.photos[0].storage_name).read_bytes()))
    assert max(stored.size) == 2048 and dict(stored.getexif()) == {}


def test_a_refused_report_keeps_its_photo_and_the_next_attempt_sends_it(
    page, sample_tipoff_env, sample_jurisdiction
):
    db.session.remove()  # the server thread must see committed data only
    page.goto("/tipoffs/new?lang=en")
    page.wait_for_function(
        "() => { const i = document.getElementById('captcha-image'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    page.select_option("select[name=category]", "dust")
    page.fill("textarea[name=description]", "工地土方作业未覆盖，扬尘很大")
    page.select_option("select[name=township]", index=1)
    page.fill("input[name=address]", "秀水镇东关村建筑工地")
    page.set_input_files(
        "input[name=photos]",
        files=[{"name": "IMG_2042.jpg", "mimeType": "image/jpeg", "buffer": jpeg(size=(1600, 1200))}],
    )
    page.fill("input[name=captcha]", "WRONG")  # mistyped: refused
    page.click("[data-test=send]")

    expect(page.locator("[data-error=captcha]")).to_be_visible()
    kept = page.locator("[data-test=held-photos] img")
    expect(kept).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-test=held-photos] img'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    expect(page.locator("[data-test=kept-photo]")).to_be_checked()
    # The fields typed are still there; only the captcha is asked again.
    expect(page.locator("input[name=address]")).to_have_value("秀水镇东关村建筑工地")
    page.wait_for_function(
        "() => { const i = document.getElementById('captcha-image'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    page.fill("input[name=captcha]", sample_tipoff_env[-1])
    page.click("[data-test=send]")

    number = page.locator("[data-test=ticket-number]").inner_text()
    tipoff = db.session.scalar(select(Tipoff).where(Tipoff.ticket_number == number))
    [photo] = tipoff.photos
    stored = Image.open(io.BytesIO(storage.path_of(photo.storage_name).read_bytes()))
    assert stored.size == (1600, 1200)
