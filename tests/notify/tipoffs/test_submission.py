"""The public form: good reports become tickets; every bad input is a clear 4xx and leaves
nothing behind (no row, no photo file, no SMS)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select

from notify.channels import sms_segments
from notify.extensions import db
from notify.models import Delivery, Tipoff
from notify.tipoffs import storage, timetrap
from tests.conftest import fresh
from tests.notify.tipoffs.fixtures import (
    LAT,
    LON,
    count_tipoffs,
    form_data,
    held_files,
    jpeg,
    png,
    post_tipoff,
    solve_captcha,
    stored_files,
)

SCRIPT = '<script>alert("x")</script>'
TRY_AGAIN = "The tip-off was not sent. Type the characters of the new picture and send it again."


def _text(response) -> str:
    return response.get_data(as_text=True)


def _nothing_stored(app):
    assert count_tipoffs() == 0
    assert stored_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def _township(sample_jurisdiction) -> int:
    return sample_jurisdiction.townships[0].id


def test_form_is_in_chinese_and_says_real_name_is_needed_for_a_reward(
    client, sample_tipoff_env, sample_jurisdiction
):
    page = _text(client.get("/tipoffs/new"))
    assert "举报" in page and 'data-test="reward-note"' in page and "实名" in page
    assert "Only a real-name report" in _text(client.get("/tipoffs/new?lang=en"))


def test_anonymous_report_becomes_a_ticket_with_a_query_code(
    app, client, sample_tipoff_env, sample_jurisdiction
):
    response = post_tipoff(
        client, sample_tipoff_env, _township(sample_jurisdiction), latitude=str(LAT), longitude=str(LON)
    )
    assert response.status_code == 201, _text(response)
    page = _text(response)
    number = re.search(r'data-test="ticket-number">([^<]+)<', page).group(1)
    code = re.search(r'data-test="query-code">([^<]+)<', page).group(1)
    assert re.fullmatch(r"JB-\d{8}-0001", number)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    fresh()
    tipoff = db.session.scalar(select(Tipoff))
    assert tipoff.ticket_number == number and tipoff.state == "received" and tipoff.anonymous
    assert tipoff.latitude == pytest.approx(LAT) and tipoff.query_code_hash != code.replace("-", "")
    assert code.replace("-", "") not in str(tipoff.__dict__)
    # No SMS for an anonymous reporter: there is nobody to send it to.
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_ticket_numbers_count_up_within_the_day(client, sample_tipoff_env, sample_jurisdiction):
    for _ in range(2):
        assert post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction)).status_code == 201
    fresh()
    numbers = sorted(db.session.scalars(select(Tipoff.ticket_number)))
    assert [n[-4:] for n in numbers] == ["0001", "0002"]


def test_real_name_report_gets_an_sms_with_number_and_code(client, sample_tipoff_env, sample_jurisdiction):
    response = post_tipoff(
        client,
        sample_tipoff_env,
        _township(sample_jurisdiction),
        identity="real_name",
        name="李四",
        phone="138-0000-1234",
    )
    assert response.status_code == 201
    code = re.search(r'data-test="query-code">([^<]+)<', _text(response)).group(1)
    fresh()
    tipoff = db.session.scalar(select(Tipoff))
    delivery = db.session.scalar(select(Delivery))
    assert delivery.address == "+8613800001234" and delivery.channel == "sms"
    assert delivery.purpose == "tipoff_received" and delivery.status == "pending"
    assert tipoff.ticket_number in delivery.body and code in delivery.body
    # The gateway signs it (【盂县应急指挥部】); its parts are counted with that signature.
    assert not delivery.body.startswith("【") and delivery.locale == "zh"
    assert delivery.segments == sms_segments.count("【盂县应急指挥部】" + delivery.body).segments
    assert "李四" not in delivery.body


def test_photos_are_re_encoded_resized_and_stripped_of_gps(
    app, client, sample_tipoff_env, sample_jurisdiction
):
    original = jpeg(size=(4000, 3000), gps=(LAT, LON))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the input does carry GPS
    response = post_tipoff(
        client,
        sample_tipoff_env,
        _township(sample_jurisdiction),
        photos=[("IMG_0001.JPG", original), ("screen.png", png())],
    )
    assert response.status_code == 201, _text(response)
    fresh()
    tipoff = db.session.scalar(select(Tipoff))
    assert len(tipoff.photos) == 2
    for photo in tipoff.photos:
        data = storage.path_of(photo.storage_name).read_bytes()
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and max(image.size) <= 2048
        assert dict(image.getexif()) == {} and b"Exif" not in data[:200] and b"TestCam" not in data
        assert photo.size_bytes == len(data) and photo.public is False
    assert (tipoff.photos[0].width, tipoff.photos[0].height) == (2048, 1536)


def _zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("shell.php", "<?php system($_GET['c']); ?>")
    return out.getvalue()


BAD_PHOTOS = {
    "renamed pdf": ("report.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", "JPEG, PNG or WebP", 400),
    "renamed html": (
        "photo.jpg",
        b"<html><body><script>alert(1)</script></body></html>",
        "JPEG, PNG or WebP",
        400,
    ),
    "renamed exe": ("photo.png", b"MZ\x90\x00" + b"\x00" * 200, "JPEG, PNG or WebP", 400),
    "jpeg with script": ("a.jpg", jpeg() + b"<script>alert(1)</script>", "besides the image", 400),
    "jpeg with zip appended": ("b.jpg", jpeg() + _zip_bytes(), "besides the image", 400),
    "png with php": ("c.png", png()[:-12] + b"<?php echo 1; ?>" + png()[-12:], "besides the image", 400),
    "truncated jpeg": ("d.jpg", jpeg()[:300], "could not be read", 400),
    "empty": ("e.jpg", b"", "empty", 400),
    "oversized": ("big.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024), "10 MB", 413),
}


@pytest.mark.parametrize("case", list(BAD_PHOTOS))
def test_bad_photos_are_refused_with_a_reason_and_nothing_is_stored(
    case, app, client, sample_tipoff_env, sample_jurisdiction
):
    name, content, reason, status = BAD_PHOTOS[case]
    response = post_tipoff(
        client,
        sample_tipoff_env,
        _township(sample_jurisdiction),
        photos=[("good.jpg", jpeg()), (name, content)],
        lang="en",
    )
    assert response.status_code == status
    assert reason in _text(response)
    _nothing_stored(app)
    # The good photo is kept for the next attempt, the refused one is not.
    assert len(held_files(app)) == 1 and _text(response).count('data-test="kept-photo"') == 1


def test_more_than_three_photos_are_refused(app, client, sample_tipoff_env, sample_jurisdiction):
    response = post_tipoff(
        client,
        sample_tipoff_env,
        _township(sample_jurisdiction),
        photos=[(f"{i}.jpg", jpeg()) for i in range(4)],
    )
    assert response.status_code == 400 and "最多" in _text(response)
    _nothing_stored(app)


def test_a_decompression_bomb_is_refused(app, client, sample_tipoff_env, sample_jurisdiction):
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # small file, 144 million pixels
    response = post_tipoff(
        client, sample_tipoff_env, _township(sample_jurisdiction), photos=[("bomb.png", out.getvalue())]
    )
    assert response.status_code == 400 and "像素" in _text(response)
    _nothing_stored(app)


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(
    app, client, sample_tipoff_env, sample_jurisdiction
):
    data = form_data(_township(sample_jurisdiction), captcha=solve_captcha(client, sample_tipoff_env))
    data["photos"] = [(io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (33 * 1024 * 1024)), "huge.jpg")]
    response = client.post("/tipoffs/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413 and "过大" in _text(response)
    _nothing_stored(app)


@pytest.mark.parametrize("field", ["description", "address", "name"])
def test_script_injection_is_stored_as_text_and_shown_escaped(
    field, client, sample_tipoff_env, sample_jurisdiction, sample_users
):
    values = {"description": "扬尘严重" + SCRIPT, "address": "东关村" + SCRIPT, "name": "王五" + SCRIPT}
    fields = {"name": "王五", field: values[field]}
    response = post_tipoff(
        client,
        sample_tipoff_env,
        _township(sample_jurisdiction),
        identity="real_name",
        phone="13800000000",
        **fields,
    )
    assert response.status_code == 201
    page = _text(client.get(re.search(r'href="(/tipoffs/status/[^"]+)"', _text(response)).group(1)))
    assert SCRIPT not in page
    if field != "name":  # the name is never shown publicly at all
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize("field", ["description", "address", "name", "phone", "latitude", "captcha"])
def test_script_injection_in_a_refused_form_is_echoed_escaped(
    field, app, client, sample_tipoff_env, sample_jurisdiction
):
    overrides = {
        field: SCRIPT,
        "identity": "real_name",
        "name": "王五",
        "phone": "13800000000",
        "description": "短",
    }  # too short, so the form is always refused
    if field == "description":
        overrides["description"] = SCRIPT[:4]
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction), **overrides)
    assert response.status_code == 400
    assert SCRIPT not in _text(response)
    _nothing_stored(app)


FIELD_ERRORS = {
    "short description": ({"description": "太短"}, "5"),
    "no address": ({"address": ""}, "地点"),
    "unknown category": ({"category": "murder"}, "举报类型"),
    "unknown township": ({"township": "999999"}, "乡镇"),
    "half a map point": ({"latitude": "38.1"}, "经度"),
    "map point out of range": ({"latitude": "138.1", "longitude": "113.4"}, "坐标"),
    "not a number": ({"latitude": "north", "longitude": "113.4"}, "坐标"),
    "real name without phone": ({"identity": "real_name", "name": "张三"}, "手机"),
    "real name without name": ({"identity": "real_name", "phone": "13800000000"}, "姓名"),
    "landline": ({"identity": "real_name", "name": "张三", "phone": "0353-8083124"}, "手机"),
    "bad identity": ({"identity": "robot"}, "匿名"),
}


@pytest.mark.parametrize("case", list(FIELD_ERRORS))
def test_field_errors_say_what_is_wrong(case, app, client, sample_tipoff_env, sample_jurisdiction):
    overrides, words = FIELD_ERRORS[case]
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction), **overrides)
    assert response.status_code == 400
    errors = " ".join(re.findall(r'class="field-error"[^>]*>([^<]+)<', _text(response)))
    assert words in errors, errors
    _nothing_stored(app)


def test_missing_captcha_is_refused(app, client, sample_tipoff_env, sample_jurisdiction):
    # The picture was never loaded, so there is no challenge in the session.
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction), captcha="ABCDE")
    assert response.status_code == 400 and "图片" in _text(response)
    _nothing_stored(app)


def test_wrong_captcha_is_refused_and_the_picture_cannot_be_retried(
    app, client, sample_tipoff_env, sample_jurisdiction
):
    answer = solve_captcha(client, sample_tipoff_env)
    wrong = "".join("A" if c != "A" else "C" for c in answer)
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction), captcha=wrong)
    assert response.status_code == 400 and "不一致" in _text(response)
    # The right answer to the spent picture no longer works.
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction), captcha=answer)
    assert response.status_code == 400
    _nothing_stored(app)


def test_a_solved_captcha_cannot_be_replayed_with_an_old_cookie(
    app, client, sample_tipoff_env, sample_jurisdiction
):
    answer = solve_captcha(client, sample_tipoff_env)
    cookie = client.get_cookie("session").value
    data = form_data(_township(sample_jurisdiction), captcha=answer)
    assert client.post("/tipoffs/new", data=data).status_code == 201
    client.set_cookie("session", cookie)  # a script putting back the cookie it had
    response = client.post("/tipoffs/new", data=form_data(_township(sample_jurisdiction), captcha=answer))
    assert response.status_code == 400 and "已使用" in _text(response)
    assert count_tipoffs() == 1


def test_the_captcha_answer_is_not_in_the_cookie_nor_the_image_headers(client, sample_tipoff_env):
    response = client.get("/tipoffs/captcha.png")
    answer = sample_tipoff_env[-1]
    from flask.sessions import SecureCookieSessionInterface

    raw = client.get_cookie("session").value
    assert answer not in raw and answer not in str(response.headers)
    serializer = SecureCookieSessionInterface().get_signing_serializer(client.application)
    assert answer not in str(serializer.loads(raw))


def test_the_answer_hook_is_ignored_outside_testing(app, client, sample_tipoff_env, monkeypatch):
    monkeypatch.setitem(app.config, "TESTING", False)
    client.get("/tipoffs/captcha.png")
    assert sample_tipoff_env == []


def test_time_trap_refuses_a_form_sent_too_fast(
    app, client, sample_tipoff_env, sample_jurisdiction, monkeypatch
):
    monkeypatch.setitem(app.config, "TIPOFF_MIN_FILL_SECONDS", 5)
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction), lang="en")
    # Refused without saying why: a script would learn how long to wait.
    message = re.search(r'data-test="form-message">([^<]+)<', _text(response)).group(1)
    assert response.status_code == 400 and message == TRY_AGAIN
    assert 'class="field-error"' not in _text(response)
    _nothing_stored(app)
    import time

    response = post_tipoff(
        client, sample_tipoff_env, _township(sample_jurisdiction), started=timetrap.issue(time.time() - 30)
    )
    assert response.status_code == 201


@pytest.mark.parametrize("started", ["", "forged", "eyJ0IjoxfQ.forged-signature"])
def test_time_trap_refuses_a_missing_or_forged_token(
    started, app, client, sample_tipoff_env, sample_jurisdiction
):
    response = post_tipoff(
        client, sample_tipoff_env, _township(sample_jurisdiction), started=started, lang="en"
    )
    assert response.status_code == 400 and TRY_AGAIN in _text(response)
    _nothing_stored(app)


def test_honeypot_refuses_a_form_filling_program(app, client, sample_tipoff_env, sample_jurisdiction):
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction), website="http://spam")
    assert response.status_code == 400 and "程序" in _text(response)
    _nothing_stored(app)


def test_csrf_is_enforced(app, client, sample_tipoff_env, sample_jurisdiction, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction))
    assert response.status_code == 400 and "安全令牌" in _text(response)
    _nothing_stored(app)


def test_per_ip_limit(app, client, sample_tipoff_env, sample_jurisdiction, monkeypatch):
    monkeypatch.setitem(app.config, "TIPOFF_LIMIT_PER_IP", "2 per hour")
    for _ in range(2):
        assert post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction)).status_code == 201
    response = post_tipoff(client, sample_tipoff_env, _township(sample_jurisdiction))
    assert response.status_code == 429 and "过多" in _text(response)
    assert count_tipoffs() == 2
    # Another address is not affected.
    other = client.application.test_client()
    answer = solve_captcha(other, sample_tipoff_env)
    response = other.post(
        "/tipoffs/new",
        data=form_data(_township(sample_jurisdiction), captcha=answer),
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 201


def test_per_phone_limit(app, client, sample_tipoff_env, sample_jurisdiction, monkeypatch):
    monkeypatch.setitem(app.config, "TIPOFF_LIMIT_PER_PHONE", "1 per day")
    real = {"identity": "real_name", "name": "张三"}
    assert (
        post_tipoff(
            client, sample_tipoff_env, _township(sample_jurisdiction), phone="13800000000", **real
        ).status_code
        == 201
    )
    # Same number written differently is the same phone.
    response = post_tipoff(
        client, sample_tipoff_env, _township(sample_jurisdiction), phone="+86 138 0000 0000", **real
    )
    assert response.status_code == 429 and "手机号" in _text(response)
    assert count_tipoffs() == 1
    assert (
        post_tipoff(
            client, sample_tipoff_env, _township(sample_jurisdiction), phone="13900000000", **real
        ).status_code
        == 201
    )


def test_control_characters_are_dropped_not_stored(client, sample_tipoff_env, sample_jurisdiction):
    # PostgreSQL refuses NUL in text; a 500 there is what this guards against.
    response = post_tipoff(
        client,
        sample_tipoff_env,
        _township(sample_jurisdiction),
        description="扬尘\x00严重\x07，无覆盖\n第二行",
        address="东关\x00村",
    )
    assert response.status_code == 201
    fresh()
    tipoff = db.session.scalar(select(Tipoff))
    assert tipoff.description == "扬尘严重，无覆盖\n第二行" and tipoff.address == "东关村"
