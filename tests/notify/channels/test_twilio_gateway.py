"""TwilioGateway with the real twilio SDK against the Twilio stand-in."""

from __future__ import annotations

import socket
import time

import pytest

from notify.channels.base import GatewayUnavailable, Message
from notify.channels.twilio_sms import TwilioGateway, parse_status_callback, status_callback_is_authentic

GOOD = "+14155550100"


def msg(delivery_id: int, address: str = GOOD, body: str = "Red alert: schools closed tomorrow") -> Message:
    return Message(delivery_id, address, body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_accepted_messages_carry_the_sid_and_a_tagged_callback(twilio_gateway, twilio_standin):
    results = twilio_gateway.send([msg(1), msg(2, "+447700900123")])
    assert [r.outcome for r in results] == ["accepted", "accepted"]
    assert [r.delivery_id for r in results] == [1, 2]
    received = {m.provider_id: m for m in twilio_standin.messages.all()}
    assert set(received) == {r.provider_id for r in results}
    assert received[results[0].provider_id].callback_url.endswith("/callbacks/twilio?d=1")


@pytest.mark.parametrize("code", ["21408", "21610", "21612", "21614"])
def test_create_errors_are_permanent_with_the_code(twilio_gateway, twilio_standin, code):
    twilio_standin.faults.update(number_errors={"+14155550199": {"stage": "create", "code": code}})
    bad, good = twilio_gateway.send([msg(1, "+14155550199"), msg(2)])
    assert (bad.outcome, bad.code, bad.provider_id) == ("permanent", code, None)
    assert good.outcome == "accepted"


def test_invalid_number_is_permanent_21211(twilio_gateway):
    [result] = twilio_gateway.send([msg(1, "+1")])
    assert (result.outcome, result.code) == ("permanent", "21211")


def test_throttled_is_transient_20429(twilio_gateway, twilio_standin):
    twilio_standin.faults.update(throttle_per_second=1)
    gateway = twilio_gateway
    results = gateway.send([msg(i) for i in range(4)])
    assert sorted(r.outcome for r in results) == ["accepted", "transient", "transient", "transient"]
    assert {r.code for r in results if r.outcome == "transient"} == {"20429"}


def test_5xx_is_transient_with_the_code(twilio_gateway, twilio_standin):
    twilio_standin.faults.update(error_5xx_share=1.0)
    [result] = twilio_gateway.send([msg(1)])
    assert (result.outcome, result.code) == ("transient", "20500")


def test_wrong_token_is_a_permanent_configuration_error(twilio_standin):
    gateway = TwilioGateway(
        twilio_standin.account_sid,
        "wrong",
        from_number="+15005550006",
        base_url=twilio_standin.url,
        timeout=2,
    )
    [result] = gateway.send([msg(1)])
    assert (result.outcome, result.code) == ("permanent", "20003")
    assert "configuration" in result.reason


def test_refused_connection_is_gateway_unavailable():
    gateway = TwilioGateway(
        "AC" + "0" * 32,
        "token",
        from_number="+15005550006",
        base_url=f"http://127.0.0.1:{free_port()}",
        timeout=2,
    )
    with pytest.raises(GatewayUnavailable):
        gateway.send([msg(1), msg(2)])


def test_timeout_is_gateway_unavailable_within_the_timeout(twilio_standin):
    twilio_standin.faults.update(timeout_share=1.0, timeout_hold_ms=3000)
    gateway = TwilioGateway(
        twilio_standin.account_sid,
        twilio_standin.auth_token,
        from_number="+15005550006",
        base_url=twilio_standin.url,
        timeout=0.4,
    )
    started = time.monotonic()
    with pytest.raises(GatewayUnavailable):
        gateway.send([msg(1), msg(2), msg(3)])
    assert time.monotonic() - started < 1.5


def test_results_obtained_before_the_gateway_failed_are_kept(twilio_standin):
    twilio_standin.faults.update(
        number_errors={"+14155550177": {"stage": "create", "code": "timeout"}}, timeout_hold_ms=2000
    )
    gateway = TwilioGateway(
        twilio_standin.account_sid,
        twilio_standin.auth_token,
        from_number="+15005550006",
        base_url=twilio_standin.url,
        timeout=0.4,
        workers=1,
    )
    first, second, third = gateway.send([msg(1), msg(2, "+14155550177"), msg(3)])
    assert first.outcome == "accepted" and first.provider_id
    assert (second.outcome, second.code) == ("transient", "unreachable")
    assert (third.outcome, third.code) == ("transient", "not-attempted")
    assert [m.to for m in twilio_standin.messages.all(accepted=True)] == [GOOD]


def _final_callbacks(report_sink, count):
    posts = report_sink.wait_for(count)
    assert len(posts) == count
    return posts


def test_callback_signatures_valid_wrong_and_missing(twilio_gateway, twilio_standin, report_sink):
    [result] = twilio_gateway.send([msg(5)])
    posts = _final_callbacks(report_sink, 3)
    token = twilio_standin.auth_token
    for post in posts:
        signature = post.headers["X-Twilio-Signature"]
        assert status_callback_is_authentic(post.url, post.form, signature, token)
        assert not status_callback_is_authentic(post.url, post.form, signature, "wrong-token")
        assert not status_callback_is_authentic(post.url, post.form, None, token)
        assert not status_callback_is_authentic(post.url, post.form, "", token)
        tampered = {
            **post.form,
            "MessageStatus": "delivered" if post.form["MessageStatus"] != "delivered" else "failed",
        }
        assert not status_callback_is_authentic(post.url, tampered, signature, token)
        other_delivery = post.url.replace("d=5", "d=6")
        assert not status_callback_is_authentic(other_delivery, post.form, signature, token)
    reports = [parse_status_callback(p.form, p.args) for p in posts]
    assert [r.status for r in reports] == ["sending", "sent", "delivered"]
    assert {(r.provider_id, r.delivery_id, r.address) for r in reports} == {(result.provider_id, 5, GOOD)}


def test_out_of_order_callbacks_all_arrive_and_parse(twilio_gateway, twilio_standin, report_sink):
    twilio_standin.faults.update(reports_out_of_order=True)
    twilio_gateway.send([msg(8)])
    posts = _final_callbacks(report_sink, 3)
    assert [parse_status_callback(p.form).status for p in posts] == ["delivered", "sent", "sending"]


@pytest.mark.parametrize("code", ["30003", "30004", "30005", "30006", "30007", "30008"])
def test_callback_errors_are_undelivered_with_the_code(twilio_gateway, twilio_standin, report_sink, code):
    twilio_standin.faults.update(number_errors={GOOD: {"stage": "report", "code": code}})
    twilio_gateway.send([msg(9)])
    posts = _final_callbacks(report_sink, 3)
    final = parse_status_callback(posts[-1].form, posts[-1].args)
    assert (final.status, final.code, final.delivery_id) == ("undelivered", code, 9)
    assert final.reason


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"MessageSid": "SM123", "MessageStatus": "delivered"},
        {"MessageSid": "SM" + "a" * 32, "MessageStatus": "exploded"},
        {"MessageSid": "SM" + "a" * 32, "MessageStatus": "undelivered", "ErrorCode": "thirty"},
    ],
)
def test_malformed_callbacks_raise_value_error(params):
    with pytest.raises(ValueError):
        parse_status_callback(params)


def test_malformed_delivery_id_raises_value_error():
    with pytest.raises(ValueError):
        parse_status_callback({"MessageSid": "SM" + "a" * 32, "MessageStatus": "sent"}, {"d": "x1"})
