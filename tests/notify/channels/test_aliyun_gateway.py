"""AliyunGateway with the real dysms SDK against the Aliyun stand-in."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC

import pytest

from notify.channels.aliyun_sms import AliyunGateway, parse_receipts, receipt_is_authentic, receipt_url
from notify.channels.base import GatewayUnavailable, Message

from .conftest import ALIYUN_KEY_ID, ALIYUN_SECRET, ALIYUN_TEMPLATE

SECRET = "Xq3_receipt-secret-0123456789"
BODY = "【盂县】重污染天气橙色预警：明日起启动Ⅱ级应急响应。"


def msg(delivery_id: int, number: str | None = None, body: str = BODY) -> Message:
    return Message(delivery_id, number or f"+86138{delivery_id:08d}", body)


def gateway_for(standin, **overrides) -> AliyunGateway:
    options = dict(
        access_key_id=ALIYUN_KEY_ID,
        access_key_secret=ALIYUN_SECRET,
        endpoint=f"http://{standin.endpoint}",
        sign_name="盂县人民政府",
        template_code=ALIYUN_TEMPLATE,
        timeout=2.0,
    )
    options.update(overrides)
    return AliyunGateway(**options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_same_body_shares_one_call_numbers_without_country_code(aliyun_gateway, aliyun_standin):
    results = aliyun_gateway.send([msg(1), msg(2), msg(3)])
    assert [r.outcome for r in results] == ["accepted"] * 3
    assert len({r.provider_id for r in results}) == 1
    received = aliyun_standin.messages.all()
    assert [m.to for m in received] == ["13800000001", "13800000002", "13800000003"]
    assert {m.out_id for m in received} == {"b1"}
    assert received[0].body == "【盂县人民政府】" + BODY


def test_different_bodies_go_in_different_calls(aliyun_gateway, aliyun_standin):
    results = aliyun_gateway.send([msg(1), msg(2, body="lifted"), msg(3)])
    assert results[0].provider_id == results[2].provider_id != results[1].provider_id
    assert aliyun_standin.messages.count_per_out_id() == {"b1": 2, "2": 1}


def test_a_number_twice_goes_in_two_calls(aliyun_gateway, aliyun_standin):
    first, second = aliyun_gateway.send([msg(1, "+8613800000001"), msg(2, "+8613800000001")])
    assert first.outcome == second.outcome == "accepted"
    assert first.provider_id != second.provider_id  # receipts stay matchable on (biz_id, number)


def test_thousand_numbers_in_one_call_and_the_1001st_in_another(aliyun_gateway, aliyun_standin):
    results = aliyun_gateway.send([msg(i) for i in range(1, 1002)])
    assert all(r.outcome == "accepted" for r in results)
    assert len({r.provider_id for r in results[:1000]}) == 1
    assert results[1000].provider_id != results[0].provider_id
    assert aliyun_standin.messages.accepted_total == 1001


def test_bad_numbers_are_isolated_and_good_ones_sent_once(aliyun_gateway, aliyun_standin):
    bad = {"13800000017", "13800000500", "13800000999"}
    aliyun_standin.faults.update(
        number_errors={n: {"stage": "create", "code": "isv.MOBILE_NUMBER_ILLEGAL"} for n in bad}
    )
    results = aliyun_gateway.send([msg(i) for i in range(1, 1001)])
    refused = {r.delivery_id for r in results if r.outcome == "permanent"}
    assert refused == {17, 500, 999}
    assert all(r.code == "isv.MOBILE_NUMBER_ILLEGAL" for r in results if r.outcome == "permanent")
    assert sum(r.outcome == "accepted" for r in results) == 997
    assert aliyun_standin.messages.duplicates() == {}
    assert set(aliyun_standin.messages.count_per_number()) == {f"138{i:08d}" for i in range(1, 1001)} - bad


def test_non_mainland_numbers_are_refused_without_a_call(aliyun_gateway, aliyun_standin):
    foreign, landline, good = aliyun_gateway.send([msg(1, "+14155550100"), msg(2, "+863535555555"), msg(3)])
    assert foreign.outcome == landline.outcome == "permanent"
    assert good.outcome == "accepted"
    assert [m.to for m in aliyun_standin.messages.all()] == ["13800000003"]


def test_throttled_is_transient(aliyun_gateway, aliyun_standin):
    aliyun_standin.faults.update(throttle_per_second=2)
    aliyun_gateway.send([msg(1), msg(2)])
    results = aliyun_gateway.send([msg(3), msg(4)])
    assert {(r.outcome, r.code) for r in results} == {("transient", "isv.BUSINESS_LIMIT_CONTROL")}


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"access_key_secret": "wrong"}, "SignatureDoesNotMatch"),
        ({"access_key_id": "LTAI-unknown"}, "InvalidAccessKeyId.NotFound"),
        ({"sign_name": "未备案签名"}, "isv.SMS_SIGNATURE_ILLEGAL"),
        ({"template_code": "SMS_404"}, "isv.SMS_TEMPLATE_ILLEGAL"),
    ],
)
def test_configuration_errors_are_permanent_and_say_so(aliyun_standin, overrides, code):
    [result] = gateway_for(aliyun_standin, **overrides).send([msg(1)])
    assert (result.outcome, result.code) == ("permanent", code)
    assert "configuration" in result.reason


def test_5xx_is_gateway_unavailable(aliyun_gateway, aliyun_standin):
    aliyun_standin.faults.update(error_5xx_share=1.0)
    with pytest.raises(GatewayUnavailable) as caught:
        aliyun_gateway.send([msg(1)])
    assert caught.value.code == "ServiceUnavailable"


def test_refused_connection_is_gateway_unavailable(aliyun_standin):
    gateway = gateway_for(aliyun_standin, endpoint=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(GatewayUnavailable):
        gateway.send([msg(1)])


def test_timeout_is_gateway_unavailable_within_the_timeout(aliyun_standin):
    aliyun_standin.faults.update(timeout_share=1.0, timeout_hold_ms=3000)
    started = time.monotonic()
    with pytest.raises(GatewayUnavailable):
        gateway_for(aliyun_standin, timeout=0.5).send([msg(1), msg(2)])
    assert time.monotonic() - started < 1.5


def test_results_obtained_before_the_gateway_failed_are_kept(aliyun_standin):
    aliyun_standin.faults.update(
        timeout_hold_ms=2000, number_errors={"13800000002": {"stage": "create", "code": "timeout"}}
    )
    first, second, third, fourth = gateway_for(aliyun_standin, timeout=0.5).send(
        [msg(1), msg(2, body="other text"), msg(3, body="third text"), msg(4)]
    )
    # The shared body's SendSms goes first and is answered; the batch of the others times out.
    assert first.outcome == fourth.outcome == "accepted"
    assert (second.outcome, third.outcome) == ("transient", "transient")
    assert second.code == "unreachable"
    assert aliyun_standin.messages.accepted_total == 2


def test_receipts_round_trip(aliyun_gateway, aliyun_standin, report_sink):
    aliyun_standin.faults.update(
        receipt_url=receipt_url(f"{report_sink.url}/callbacks/aliyun/receipts", SECRET),
        number_errors={"13800000002": {"stage": "report", "code": "MK:0001"}},
    )
    results = aliyun_gateway.send([msg(1), msg(2)])
    single = aliyun_gateway.send([msg(3)])[0]
    assert aliyun_standin.poster.wait_idle(3)
    posts = report_sink.posts
    token = posts[0].path.rsplit("/", 1)[1]
    assert receipt_is_authentic(token, SECRET)
    reports = {r.address: r for p in posts for r in parse_receipts(p.body)}
    delivered, undelivered, tagged = (
        reports["+8613800000001"],
        reports["+8613800000002"],
        reports["+8613800000003"],
    )
    assert (delivered.status, delivered.provider_id, delivered.code) == (
        "delivered",
        results[0].provider_id,
        None,
    )
    assert delivered.delivery_id is None  # a multi-number call's OutId names no single delivery
    assert (undelivered.status, undelivered.code) == ("undelivered", "MK:0001")
    assert (tagged.delivery_id, tagged.provider_id) == (3, single.provider_id)
    assert delivered.at.utcoffset().total_seconds() == 8 * 3600
    assert delivered.at.astimezone(UTC).tzinfo is UTC


def test_receipt_url_refuses_a_secret_that_is_not_url_safe():
    with pytest.raises(ValueError):
        receipt_url("https://county.example/callbacks/aliyun/receipts", "short/secret%2F")
    assert receipt_url("https://x.example/r/", SECRET) == f"https://x.example/r/{SECRET}"


@pytest.mark.parametrize(
    "token, secret, expected",
    [
        ("s3cret", "s3cret", True),
        ("s3cret!", "s3cret", False),
        (None, "s3cret", False),
        ("", "s3cret", False),
        ("", "", False),
    ],
)
def test_receipt_authenticity(token, secret, expected):
    assert receipt_is_authentic(token, secret) is expected


def _receipt(**changes):
    receipt = {
        "phone_number": "13800000001",
        "send_time": "2026-11-23 10:00:00",
        "report_time": "2026-11-23 10:00:05",
        "success": True,
        "err_code": "DELIVERED",
        "err_msg": "用户接收成功",
        "sms_size": "1",
        "biz_id": "123^0",
        "out_id": "7",
    }
    receipt.update(changes)
    return receipt


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"phone_number": "1"}',
        json.dumps([_receipt(biz_id="")]).encode(),
        json.dumps([_receipt(success="true")]).encode(),
        json.dumps([_receipt(phone_number="abc")]).encode(),
        json.dumps([_receipt(report_time="yesterday")]).encode(),
        json.dumps(["x"]).encode(),
    ],
)
def test_malformed_receipts_raise_value_error(body):
    with pytest.raises(ValueError):
        parse_receipts(body)


def test_parse_receipts_fields():
    [report] = parse_receipts(
        json.dumps([_receipt(success=False, err_code="IC:0055", err_msg="空号")]).encode()
    )
    assert (report.status, report.code, report.reason) == ("undelivered", "IC:0055", "空号")
    assert (report.address, report.delivery_id, report.provider_id) == ("+8613800000001", 7, "123^0")
    assert parse_receipts(b"[]") == []


# --- SendBatchSms: bodies that occur once ----------------------------------------------------


def own_link(delivery_id: int) -> str:
    return f"【盂县】企业{delivery_id}：请点击 https://county.example/e/{delivery_id:05d}?sig=abc 确认"


def calls_by_biz_id(standin) -> dict[str, list]:
    calls: dict[str, list] = {}
    for received in standin.messages.all(accepted=True):
        calls.setdefault(received.provider_id, []).append(received)
    return calls


def test_distinct_bodies_go_in_batch_calls_of_a_hundred(aliyun_gateway, aliyun_standin):
    results = aliyun_gateway.send([msg(i, body=own_link(i)) for i in range(1, 251)])
    assert all(r.outcome == "accepted" for r in results)
    calls = calls_by_biz_id(aliyun_standin)
    assert sorted(len(c) for c in calls.values()) == [50, 100, 100]
    assert {r.provider_id for r in results} == set(calls)
    for received in aliyun_standin.messages.all():
        assert received.body == "【盂县人民政府】" + own_link(int(received.to[3:]))
    assert aliyun_standin.messages.count_per_out_id() == {"b1": 100, "b101": 100, "b201": 50}
    # Each message carries its call's BizId, as its receipt will.
    biz_id_of = {received.to: received.provider_id for received in aliyun_standin.messages.all()}
    assert all(r.provider_id == biz_id_of[f"138{r.delivery_id:08d}"] for r in results)


def test_shared_bodies_still_go_by_send_sms(aliyun_gateway, aliyun_standin):
    shared = [msg(i) for i in range(1001, 1151)]  # 150 numbers: more than a SendBatchSms takes
    distinct = [msg(i, body=own_link(i)) for i in range(1, 4)]
    results = aliyun_gateway.send(distinct[:1] + shared + distinct[1:])
    assert all(r.outcome == "accepted" for r in results)
    calls = calls_by_biz_id(aliyun_standin)
    assert sorted(len(c) for c in calls.values()) == [3, 150]
    [shared_call] = [c for c in calls.values() if len(c) == 150]
    assert {m.body for m in shared_call} == {"【盂县人民政府】" + BODY}
    assert {m.out_id for m in shared_call} == {"b1001"}


def test_a_lone_distinct_body_goes_by_send_sms(aliyun_gateway, aliyun_standin):
    aliyun_gateway.send([msg(1), msg(2), msg(3, body=own_link(3))])
    # SendSms names the single delivery in OutId; a batch call would say "b3".
    assert aliyun_standin.messages.count_per_out_id() == {"b1": 2, "3": 1}


def test_a_number_twice_with_distinct_bodies_goes_in_two_batch_calls(aliyun_gateway, aliyun_standin):
    messages = [msg(1, "+8613800000009", own_link(1)), msg(2, body=own_link(2))]
    messages += [msg(3, "+8613800000009", own_link(3)), msg(4, body=own_link(4))]
    results = aliyun_gateway.send(messages)
    assert all(r.outcome == "accepted" for r in results)
    assert results[0].provider_id == results[1].provider_id == results[3].provider_id
    assert results[2].provider_id != results[0].provider_id  # receipts match on (biz_id, number)
    assert aliyun_standin.messages.count_per_out_id() == {"b1": 3, "b3": 1}


def test_an_illegal_number_in_a_batch_call_fails_alone(aliyun_gateway, aliyun_standin):
    aliyun_standin.faults.update(
        number_errors={"13800000037": {"stage": "create", "code": "isv.MOBILE_NUMBER_ILLEGAL"}}
    )
    results = aliyun_gateway.send([msg(i, body=own_link(i)) for i in range(1, 101)])
    refused = [r for r in results if r.outcome != "accepted"]
    assert [(r.delivery_id, r.outcome, r.code) for r in refused] == [
        (37, "permanent", "isv.MOBILE_NUMBER_ILLEGAL")
    ]
    assert aliyun_standin.messages.accepted_total == 99
    assert aliyun_standin.messages.duplicates() == {}
    assert {m.code for m in aliyun_standin.messages.all(accepted=False)} == {"isv.MOBILE_NUMBER_ILLEGAL"}


def test_throttled_batch_call_is_transient(aliyun_gateway, aliyun_standin):
    aliyun_standin.faults.update(throttle_per_second=3)
    first = aliyun_gateway.send([msg(i, body=own_link(i)) for i in range(1, 4)])
    second = aliyun_gateway.send([msg(i, body=own_link(i)) for i in range(4, 6)])
    assert {r.outcome for r in first} == {"accepted"}
    assert {(r.outcome, r.code) for r in second} == {("transient", "isv.BUSINESS_LIMIT_CONTROL")}
    assert "throttled" in second[0].reason


def test_configuration_error_on_a_batch_call_is_permanent_and_says_so(aliyun_standin):
    gateway = gateway_for(aliyun_standin, sign_name="未备案签名")
    results = gateway.send([msg(i, body=own_link(i)) for i in range(1, 4)])
    assert {(r.outcome, r.code) for r in results} == {("permanent", "isv.SMS_SIGNATURE_ILLEGAL")}
    assert all("configuration" in r.reason for r in results)


def test_5xx_on_a_batch_call_is_gateway_unavailable(aliyun_gateway, aliyun_standin):
    aliyun_standin.faults.update(error_5xx_share=1.0)
    with pytest.raises(GatewayUnavailable) as caught:
        aliyun_gateway.send([msg(i, body=own_link(i)) for i in range(1, 4)])
    assert caught.value.code == "ServiceUnavailable"


def test_batch_receipts_match_on_biz_id_and_number(aliyun_gateway, aliyun_standin, report_sink):
    aliyun_standin.faults.update(
        receipt_url=receipt_url(f"{report_sink.url}/callbacks/aliyun/receipts", SECRET),
        number_errors={"13800000002": {"stage": "report", "code": "MK:0001"}},
    )
    results = aliyun_gateway.send([msg(i, body=own_link(i)) for i in range(1, 4)])
    assert aliyun_standin.poster.wait_idle(3)
    reports = {r.address: r for p in report_sink.posts for r in parse_receipts(p.body)}
    assert {(a, r.provider_id, r.delivery_id) for a, r in reports.items()} == {
        (f"+86138{i:08d}", results[0].provider_id, None) for i in range(1, 4)
    }
    assert (reports["+8613800000002"].status, reports["+8613800000002"].code) == ("undelivered", "MK:0001")
