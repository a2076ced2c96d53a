"""The Twilio stand-in, driven by the real twilio SDK."""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

FROM = "+15005550006"


@pytest.fixture
def client(twilio_standin):
    sdk = Client(twilio_standin.account_sid, twilio_standin.auth_token)
    sdk.api.base_url = twilio_standin.url
    return sdk


def create(client, to="+14155550100", body="Air quality alert", **extra):
    return client.messages.create(to=to, from_=FROM, body=body, **extra)


def test_create_answers_a_message_resource(client, twilio_standin):
    message = create(client)
    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert message.status == "queued"
    assert message.to == "+14155550100" and message.from_ == FROM
    assert message.num_segments == "1"
    assert message.direction == "outbound-api"
    assert message.uri == f"/2010-04-01/Accounts/{twilio_standin.account_sid}/Messages/{message.sid}.json"
    assert message.date_created.tzinfo is not None
    raw = requests.get(
        f"{twilio_standin.url}{message.uri}", auth=(twilio_standin.account_sid, twilio_standin.auth_token)
    ).json()
    assert parsedate_to_datetime(raw["date_created"]) == message.date_created
    assert raw["date_created"].endswith("+0000")
    assert [m.provider_id for m in twilio_standin.messages.all()] == [message.sid]


@pytest.mark.parametrize(
    "body, segments",
    [
        ("a" * 160, "1"),
        ("a" * 161, "2"),
        ("a" * 153 * 2 + "a", "3"),
        ("{" * 80, "1"),
        ("{" * 81, "2"),  # extension characters count two
        ("红" * 70, "1"),
        ("红" * 71, "2"),
        ("红" * 134, "2"),
        ("红" * 135, "3"),
        ("a" * 69 + "红", "1"),
        ("`" * 71, "2"),  # a backtick is ASCII but not GSM-7
    ],
)
def test_segments_follow_gsm7_and_ucs2_rules(client, body, segments):
    assert create(client, body=body).num_segments == segments


def test_wrong_credentials_are_refused_with_20003(twilio_standin):
    sdk = Client(twilio_standin.account_sid, "wrong-token")
    sdk.api.base_url = twilio_standin.url
    with pytest.raises(TwilioRestException) as caught:
        create(sdk)
    assert caught.value.status == 401 and caught.value.code == 20003
    assert twilio_standin.messages.all() == []


def test_invalid_to_is_21211(client, twilio_standin):
    with pytest.raises(TwilioRestException) as caught:
        create(client, to="0123")
    assert (caught.value.status, caught.value.code) == (400, 21211)
    assert twilio_standin.messages.all(accepted=False)[0].code == "21211"


@pytest.mark.parametrize("code", ["21408", "21610", "21612", "21614"])
def test_per_number_create_errors(client, twilio_standin, code):
    twilio_standin.faults.update(number_errors={"+14155550199": {"stage": "create", "code": code}})
    with pytest.raises(TwilioRestException) as caught:
        create(client, to="+14155550199")
    assert (caught.value.status, caught.value.code) == (400, int(code))
    assert create(client, to="+14155550100").status == "queued"  # other numbers unaffected


def test_throttling_answers_429_with_20429(client, twilio_standin):
    twilio_standin.faults.update(throttle_per_second=2)
    create(client)
    create(client)
    with pytest.raises(TwilioRestException) as caught:
        create(client)
    assert (caught.value.status, caught.value.code) == (429, 20429)
    time.sleep(1.0)
    assert create(client).status == "queued"  # the window has passed


def test_5xx_share(client, twilio_standin):
    twilio_standin.faults.update(error_5xx_share=1.0)
    with pytest.raises(TwilioRestException) as caught:
        create(client)
    assert caught.value.status == 500
    assert twilio_standin.messages.accepted_total == 0


def test_timeout_holds_the_request(twilio_standin):
    twilio_standin.faults.update(timeout_share=1.0, timeout_hold_ms=1500)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{twilio_standin.url}/2010-04-01/Accounts/{twilio_standin.account_sid}/Messages.json",
            data={"To": "+14155550100", "From": FROM, "Body": "x"},
            timeout=0.3,
            auth=(twilio_standin.account_sid, twilio_standin.auth_token),
        )
    assert time.monotonic() - started < 1.0


def _callbacks(sink, count):
    posts = sink.wait_for(count)
    assert len(posts) == count, [p.form for p in posts]
    return posts


def test_status_callbacks_are_signed_and_in_order(client, twilio_standin, report_sink):
    callback = f"{report_sink.url}/cb?delivery_id=7"
    message = create(client, status_callback=callback)
    posts = _callbacks(report_sink, 3)
    assert [p.form["MessageStatus"] for p in posts] == ["queued", "sent", "delivered"]
    validator = RequestValidator(twilio_standin.auth_token)
    for post in posts:
        assert post.form["MessageSid"] == message.sid and post.form["To"] == "+14155550100"
        assert post.args == {"delivery_id": "7"}
        assert validator.validate(post.url, post.form, post.headers["X-Twilio-Signature"])
        assert not RequestValidator("another-token").validate(
            post.url, post.form, post.headers["X-Twilio-Signature"]
        )
    fetched = requests.get(
        f"{twilio_standin.url}{message.uri}", auth=(twilio_standin.account_sid, twilio_standin.auth_token)
    ).json()
    assert fetched["status"] == "delivered"


def test_callback_errors_30003_to_30008(client, twilio_standin, report_sink):
    twilio_standin.faults.update(
        number_errors={
            "+14155550101": {"stage": "report", "code": "30003"},
            "+14155550102": {"stage": "report", "code": "30008", "status": "failed"},
        }
    )
    create(client, to="+14155550101", status_callback=f"{report_sink.url}/cb")
    create(client, to="+14155550102", status_callback=f"{report_sink.url}/cb")
    posts = _callbacks(report_sink, 5)
    final = {p.form["To"]: p.form for p in posts if p.form["MessageStatus"] in ("undelivered", "failed")}
    assert final["+14155550101"]["MessageStatus"] == "undelivered"
    assert final["+14155550101"]["ErrorCode"] == "30003"
    assert final["+14155550102"]["MessageStatus"] == "failed"
    assert final["+14155550102"]["ErrorCode"] == "30008"


def test_out_of_order_callbacks(client, twilio_standin, report_sink):
    twilio_standin.faults.update(reports_out_of_order=True)
    create(client, status_callback=f"{report_sink.url}/cb")
    posts = _callbacks(report_sink, 3)
    assert [p.form["MessageStatus"] for p in posts] == ["delivered", "sent", "queued"]


def test_a_dead_or_slow_callback_receiver_never_blocks_or_kills_the_standin(
    client, twilio_standin, report_sink
):
    create(client, status_callback="http://127.0.0.1:9/nobody-listens")
    report_sink.delay_s = 0.3
    started = time.monotonic()
    for _ in range(5):
        create(client, status_callback=f"{report_sink.url}/cb")
    assert time.monotonic() - started < 0.3  # create calls do not wait for the callbacks
    assert twilio_standin.poster.wait_idle(timeout=10)
    failed = [r for r in twilio_standin.reports.all() if r["error"]]
    assert len(failed) == 3 and failed[0]["error"] == "ConnectionError"
    assert create(client).status == "queued"


def test_faults_and_messages_over_http(client, twilio_standin):
    base = twilio_standin.url
    assert requests.post(f"{base}/_sandbox/faults", json={"no_such_switch": 1}).status_code == 400
    assert requests.post(f"{base}/_sandbox/faults", json={"error_5xx_share": 2}).status_code == 400
    answer = requests.post(
        f"{base}/_sandbox/faults",
        json={"latency_ms": 5, "number_errors": {"+14155550199": {"stage": "create", "code": "21610"}}},
    )
    assert answer.status_code == 200 and answer.json()["latency_ms"] == 5
    assert requests.get(f"{base}/_sandbox/faults").json()["number_errors"]["+14155550199"]["code"] == "21610"
    create(client)
    create(client)
    with pytest.raises(TwilioRestException):
        create(client, to="+14155550199")
    listing = requests.get(f"{base}/_sandbox/messages").json()
    assert listing["accepted_total"] == 2 and listing["refused_total"] == 1
    assert listing["duplicates"] == {"+14155550100": 2}
    assert twilio_standin.messages.duplicates() == {"+14155550100": 2}
    assert requests.post(f"{base}/_sandbox/reset").json() == {"ok": True}
    assert requests.get(f"{base}/_sandbox/faults").json()["latency_ms"] == 0
    assert requests.get(f"{base}/_sandbox/messages").json()["messages"] == []
