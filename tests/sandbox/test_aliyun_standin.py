"""The Aliyun dysms stand-in, driven by the real SDK (alibabacloud_dysmsapi20170525)."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
import requests
from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from alibabacloud_tea_openapi.models import Config

from sandbox.aliyun_standin import DEFAULT_ACCESS_KEYS

KEY_ID, SECRET = next(iter(DEFAULT_ACCESS_KEYS.items()))
SIGN = "盂县人民政府"


def sdk(standin, key_id=KEY_ID, secret=SECRET):
    return Client(
        Config(
            access_key_id=key_id,
            access_key_secret=secret,
            endpoint=standin.endpoint,
            protocol="http",
            read_timeout=2000,
            connect_timeout=1000,
        )
    )


def send(
    client,
    numbers="13800000000",
    sign=SIGN,
    template="SMS_0000001",
    param='{"content":"红色预警：明日停课"}',
    out_id="41",
):
    return client.send_sms(
        models.SendSmsRequest(
            phone_numbers=numbers,
            sign_name=sign,
            template_code=template,
            template_param=param,
            out_id=out_id,
        )
    ).body


def test_send_sms_accepted(aliyun_standin):
    answer = send(sdk(aliyun_standin), numbers="13800000000,13900000000")
    assert (answer.code, answer.message) == ("OK", "OK")
    assert answer.biz_id.endswith("^0") and answer.request_id
    received = aliyun_standin.messages.all()
    assert [m.to for m in received] == ["13800000000", "13900000000"]
    assert {m.provider_id for m in received} == {answer.biz_id}
    assert received[0].body == "【盂县人民政府】红色预警：明日停课"
    assert received[0].out_id == "41"
    assert aliyun_standin.messages.count_per_out_id() == {"41": 2}


def test_wrong_secret_is_signature_does_not_match(aliyun_standin):
    with pytest.raises(ClientException) as caught:
        send(sdk(aliyun_standin, secret="wrong"))
    assert (caught.value.status_code, caught.value.code) == (400, "SignatureDoesNotMatch")
    assert aliyun_standin.messages.all() == []


def test_unknown_key_is_not_found(aliyun_standin):
    with pytest.raises(ClientException) as caught:
        send(sdk(aliyun_standin, key_id="LTAI-unknown"))
    assert (caught.value.status_code, caught.value.code) == (404, "InvalidAccessKeyId.NotFound")


def test_unsigned_request_is_incomplete_signature(aliyun_standin):
    answer = requests.post(
        f"{aliyun_standin.url}/",
        params={"PhoneNumbers": "13800000000"},
        headers={"x-acs-action": "SendSms", "x-acs-version": "2017-05-25"},
    )
    assert answer.status_code == 400 and answer.json()["Code"] == "IncompleteSignature"


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"numbers": "13800000000,12345"}, "isv.MOBILE_NUMBER_ILLEGAL"),
        ({"numbers": "+8613800000000"}, "isv.MOBILE_NUMBER_ILLEGAL"),  # national form only
        ({"numbers": ",".join(f"138{i:08d}" for i in range(1001))}, "isv.MOBILE_COUNT_OVER_LIMIT"),
        ({"sign": "某某公司"}, "isv.SMS_SIGNATURE_ILLEGAL"),
        ({"template": "SMS_9999999"}, "isv.SMS_TEMPLATE_ILLEGAL"),
        ({"param": '{"other":"x"}'}, "isv.TEMPLATE_MISSING_PARAMETERS"),
        ({"param": "{not json"}, "isv.INVALID_JSON_PARAM"),
    ],
)
def test_business_errors_are_http_200_with_a_code(aliyun_standin, kwargs, code):
    answer = send(sdk(aliyun_standin), **kwargs)
    assert answer.code == code and answer.biz_id is None
    assert aliyun_standin.messages.accepted_total == 0


def test_a_thousand_numbers_in_one_call(aliyun_standin):
    numbers = [f"139{i:08d}" for i in range(1000)]
    answer = send(sdk(aliyun_standin), numbers=",".join(numbers))
    assert answer.code == "OK"
    assert aliyun_standin.messages.accepted_total == 1000


def test_throttling_is_business_limit_control(aliyun_standin):
    aliyun_standin.faults.update(throttle_per_second=3)
    client = sdk(aliyun_standin)
    assert send(client, numbers="13800000000,13800000001,13800000002").code == "OK"
    assert send(client).code == "isv.BUSINESS_LIMIT_CONTROL"


def _one_call(action: str):
    """A call of two numbers, 13800000001 and 13800000002, by either action."""
    if action == "SendSms":
        return lambda client: send(client, numbers="13800000001,13800000002")
    return send_batch


@pytest.mark.parametrize("action", ["SendSms", "SendBatchSms"])
def test_per_number_create_error_fails_the_whole_call(aliyun_standin, action):
    aliyun_standin.faults.update(
        number_errors={"13800000002": {"stage": "create", "code": "isv.MOBILE_NUMBER_ILLEGAL"}}
    )
    assert _one_call(action)(sdk(aliyun_standin)).code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert aliyun_standin.messages.accepted_total == 0


@pytest.mark.parametrize("action", ["SendSms", "SendBatchSms"])
def test_5xx_share_and_timeouts(aliyun_standin, action):
    call = _one_call(action)
    aliyun_standin.faults.update(error_5xx_share=1.0)
    with pytest.raises(ServerException) as caught:
        call(sdk(aliyun_standin))
    assert (caught.value.status_code, caught.value.code) == (503, "ServiceUnavailable")
    aliyun_standin.faults.update(error_5xx_share=0.0, timeout_share=1.0, timeout_hold_ms=100)
    with pytest.raises(ServerException) as caught:
        call(sdk(aliyun_standin))
    assert (caught.value.status_code, caught.value.code) == (504, "ServiceTimeout")


def test_receipts_are_pushed_as_a_json_array(aliyun_standin, report_sink):
    aliyun_standin.faults.update(
        receipt_url=f"{report_sink.url}/receipts?token=s3cret",
        number_errors={"13800000001": {"stage": "report", "code": "MN:0001"}},
    )
    answer = send(sdk(aliyun_standin), numbers="13800000000,13800000001")
    posts = report_sink.wait_for(1)
    assert len(posts) == 1 and posts[0].args == {"token": "s3cret"}
    receipts = {r["phone_number"]: r for r in posts[0].json()}
    assert set(receipts) == {"13800000000", "13800000001"}
    ok, bad = receipts["13800000000"], receipts["13800000001"]
    assert set(ok) == {
        "phone_number",
        "send_time",
        "report_time",
        "success",
        "err_code",
        "err_msg",
        "sms_size",
        "biz_id",
        "out_id",
    }
    assert (ok["success"], ok["err_code"], ok["biz_id"], ok["out_id"]) == (
        True,
        "DELIVERED",
        answer.biz_id,
        "41",
    )
    assert (bad["success"], bad["err_code"]) == (False, "MN:0001")
    assert ok["sms_size"] == "1"
    assert aliyun_standin.poster.wait_idle(2)
    assert [r["acknowledged"] for r in aliyun_standin.reports.all()] == [True]


def test_receipts_are_batched(aliyun_standin, report_sink):
    aliyun_standin.faults.update(receipt_url=f"{report_sink.url}/receipts", receipt_batch_size=100)
    client = sdk(aliyun_standin)
    send(client, numbers=",".join(f"137{i:08d}" for i in range(150)), out_id="1")
    send(client, numbers=",".join(f"136{i:08d}" for i in range(100)), out_id="2")
    assert aliyun_standin.poster.wait_idle(3)
    assert sorted(len(p.json()) for p in report_sink.posts) == [50, 100, 100]


def test_unacknowledged_receipts_are_pushed_again_then_given_up(aliyun_standin, report_sink):
    aliyun_standin.faults.update(receipt_url=f"{report_sink.url}/receipts")
    report_sink.answers = [(500, {"error": "down"})]
    send(sdk(aliyun_standin))
    assert aliyun_standin.poster.wait_idle(3)
    time.sleep(0.05)
    attempts = aliyun_standin.reports.all()
    assert [a["attempt"] for a in attempts] == [0, 1, 2, 3]  # first push + 3 re-pushes
    assert not any(a["acknowledged"] for a in attempts)
    assert len(report_sink.posts) == 4
    assert report_sink.posts[0].body == report_sink.posts[3].body  # the same receipts again


def test_re_pushing_stops_once_acknowledged(aliyun_standin, report_sink):
    aliyun_standin.faults.update(receipt_url=f"{report_sink.url}/receipts")
    report_sink.answers = [(200, {"code": "not a number"}), (200, "<html>"), (200, {"code": 0})]
    send(sdk(aliyun_standin))
    assert aliyun_standin.poster.wait_idle(3)
    assert [a["acknowledged"] for a in aliyun_standin.reports.all()] == [False, False, True]
    assert len(report_sink.posts) == 3


def test_receipt_receiver_down_does_not_hurt_the_standin(aliyun_standin):
    aliyun_standin.faults.update(receipt_url="http://127.0.0.1:9/receipts", repush_delays_s=[0.05])
    client = sdk(aliyun_standin)
    assert send(client).code == "OK"
    assert aliyun_standin.poster.wait_idle(3)
    assert [a["error"] for a in aliyun_standin.reports.all()] == ["ConnectionError", "ConnectionError"]
    assert send(client).code == "OK"


def test_faults_over_http(aliyun_standin):
    base = aliyun_standin.url
    answer = requests.post(f"{base}/_sandbox/faults", json={"throttle_per_second": 1})
    assert answer.status_code == 200
    client = sdk(aliyun_standin)
    assert send(client).code == "OK"
    assert send(client).code == "isv.BUSINESS_LIMIT_CONTROL"
    listing = requests.get(f"{base}/_sandbox/messages", params={"accepted": "false"}).json()
    assert [m["code"] for m in listing["messages"]] == ["isv.BUSINESS_LIMIT_CONTROL"]
    requests.post(f"{base}/_sandbox/reset")
    assert send(client).code == "OK"
    assert json.loads(requests.get(f"{base}/_sandbox/messages").text)["accepted_total"] == 1


# --- SendBatchSms ---------------------------------------------------------------------------


def send_batch(
    client,
    numbers=("13800000001", "13800000002"),
    signs=None,
    params=None,
    template="SMS_0000001",
    out_id="b7",
    **raw,
):
    """SendBatchSms through the SDK; `raw` overrides a JSON parameter with any string (or None)."""
    fields = {
        "phone_number_json": json.dumps(list(numbers)),
        "sign_name_json": json.dumps(list(signs or [SIGN] * len(numbers)), ensure_ascii=False),
        "template_param_json": json.dumps(
            params
            if params is not None
            else [{"content": f"第{i}号企业：请查收"} for i in range(len(numbers))],
            ensure_ascii=False,
        ),
    }
    fields.update(raw)
    return client.send_batch_sms(
        models.SendBatchSmsRequest(template_code=template, out_id=out_id, **fields)
    ).body


def test_send_batch_sms_accepted_each_its_own_text_under_one_biz_id(aliyun_standin):
    answer = send_batch(
        sdk(aliyun_standin),
        numbers=["13800000001", "13800000002", "13800000003"],
        signs=[SIGN, "盂县应急指挥部", SIGN],
        params=[{"content": "甲 & x=1%"}, {"content": "乙+"}, {"content": "丙：" + "长" * 80}],
    )
    assert (answer.code, answer.message) == ("OK", "OK")
    assert answer.biz_id.endswith("^0") and answer.request_id
    received = aliyun_standin.messages.all()
    assert [(m.to, m.body, m.sender) for m in received] == [
        ("13800000001", "【盂县人民政府】甲 & x=1%", SIGN),
        ("13800000002", "【盂县应急指挥部】乙+", "盂县应急指挥部"),
        ("13800000003", "【盂县人民政府】丙：" + "长" * 80, SIGN),
    ]
    assert {m.provider_id for m in received} == {answer.biz_id}
    assert [m.segments for m in received] == [1, 1, 2]
    assert aliyun_standin.messages.count_per_out_id() == {"b7": 3}


def test_a_hundred_numbers_in_one_batch_call(aliyun_standin):
    numbers = [f"139{i:08d}" for i in range(100)]
    answer = send_batch(sdk(aliyun_standin), numbers=numbers)
    assert answer.code == "OK"
    assert aliyun_standin.messages.accepted_total == 100
    assert len({m.body for m in aliyun_standin.messages.all()}) == 100


def test_batch_receipts_carry_the_biz_id_and_each_number(aliyun_standin, report_sink):
    aliyun_standin.faults.update(
        receipt_url=f"{report_sink.url}/receipts",
        number_errors={"13800000002": {"stage": "report", "code": "MN:0001"}},
    )
    answer = send_batch(sdk(aliyun_standin))
    [post] = report_sink.wait_for(1)
    receipts = {r["phone_number"]: r for r in post.json()}
    assert {r["biz_id"] for r in receipts.values()} == {answer.biz_id}
    assert {r["out_id"] for r in receipts.values()} == {"b7"}
    assert (receipts["13800000001"]["success"], receipts["13800000002"]["err_code"]) == (True, "MN:0001")


@pytest.mark.parametrize(
    "missing, code",
    [
        ({"phone_number_json": None}, "MissingPhoneNumberJson"),
        ({"sign_name_json": None}, "MissingSignNameJson"),
        ({"template": None}, "MissingTemplateCode"),
    ],
)
def test_batch_missing_parameter_is_http_400(aliyun_standin, missing, code):
    with pytest.raises(ClientException) as caught:
        send_batch(sdk(aliyun_standin), **missing)
    assert (caught.value.status_code, caught.value.code) == (400, code)
    assert aliyun_standin.messages.all() == []


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"phone_number_json": "[13800000001"}, "isv.INVALID_JSON_PARAM"),
        ({"phone_number_json": "13800000001"}, "isv.INVALID_JSON_PARAM"),  # not an array
        ({"phone_number_json": "[13800000001, 13800000002]"}, "isv.INVALID_JSON_PARAM"),  # not strings
        ({"sign_name_json": '{"0": "盂县人民政府"}'}, "isv.INVALID_JSON_PARAM"),
        ({"template_param_json": "[{"}, "isv.INVALID_JSON_PARAM"),
        ({"template_param_json": "[" * 100_000}, "isv.INVALID_JSON_PARAM"),  # nested too deeply
        ({"params": [{"content": "x"}, "x"]}, "isv.INVALID_JSON_PARAM"),  # an element not an object
        ({"params": [{"content": "x"}, {"content": 1}]}, "isv.INVALID_JSON_PARAM"),
        ({"sms_up_extend_code_json": "[1,"}, "isv.INVALID_JSON_PARAM"),
        ({"signs": [SIGN]}, "isv.INVALID_PARAMETERS"),
        ({"params": [{"content": "x"}]}, "isv.INVALID_PARAMETERS"),
        ({"sms_up_extend_code_json": '["01"]'}, "isv.INVALID_PARAMETERS"),
        ({"numbers": []}, "isv.INVALID_PARAMETERS"),
        ({"numbers": [f"138{i:08d}" for i in range(101)]}, "isv.MOBILE_COUNT_OVER_LIMIT"),
        ({"numbers": ["13800000001", "12345"]}, "isv.MOBILE_NUMBER_ILLEGAL"),
        ({"numbers": ["13800000001", "+8613800000002"]}, "isv.MOBILE_NUMBER_ILLEGAL"),
        ({"signs": [SIGN, "某某公司"]}, "isv.SMS_SIGNATURE_ILLEGAL"),
        ({"template": "SMS_9999999"}, "isv.SMS_TEMPLATE_ILLEGAL"),
        ({"params": [{"content": "x"}, {"other": "y"}]}, "isv.TEMPLATE_MISSING_PARAMETERS"),
        ({"template_param_json": None}, "isv.TEMPLATE_MISSING_PARAMETERS"),
    ],
)
def test_batch_business_errors_refuse_the_whole_call(aliyun_standin, kwargs, code):
    answer = send_batch(sdk(aliyun_standin), **kwargs)
    assert answer.code == code and answer.biz_id is None
    assert answer.message
    assert aliyun_standin.messages.accepted_total == 0


def test_refused_batch_messages_are_recorded_with_their_code(aliyun_standin):
    send_batch(sdk(aliyun_standin), numbers=["13800000001", "12345"])
    refused = aliyun_standin.messages.all(accepted=False)
    assert [(m.to, m.code, m.out_id) for m in refused] == [
        ("13800000001", "isv.MOBILE_NUMBER_ILLEGAL", "b7"),
        ("12345", "isv.MOBILE_NUMBER_ILLEGAL", "b7"),
    ]


def test_batch_throttling_counts_each_number(aliyun_standin):
    aliyun_standin.faults.update(throttle_per_second=3)
    client = sdk(aliyun_standin)
    assert send_batch(client, numbers=["13800000001", "13800000002", "13800000003"]).code == "OK"
    # One call so far, but three messages: the limit is reached.
    answer = send_batch(client, numbers=["13800000004"], params=[{"content": "x"}])
    assert answer.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert aliyun_standin.messages.accepted_total == 3


def test_batch_needs_the_signature(aliyun_standin):
    with pytest.raises(ClientException) as caught:
        send_batch(sdk(aliyun_standin, secret="wrong"))
    assert (caught.value.status_code, caught.value.code) == (400, "SignatureDoesNotMatch")
    form = {"PhoneNumberJson": '["13800000001"]', "SignNameJson": json.dumps([SIGN])}
    headers = {"x-acs-action": "SendBatchSms", "x-acs-version": "2017-05-25"}
    unsigned = requests.post(
        f"{aliyun_standin.url}/", params={"TemplateCode": "SMS_0000001"}, data=form, headers=headers
    )
    assert unsigned.status_code == 400 and unsigned.json()["Code"] == "IncompleteSignature"
    assert aliyun_standin.messages.all() == []


def test_batch_body_is_covered_by_the_content_hash(aliyun_standin):
    """The form body must hash to x-acs-content-sha256, which the signature covers: a body
    changed on the way (another number) is refused before anything is read from it."""
    signed_names = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    authorization = f"ACS3-HMAC-SHA256 Credential={KEY_ID},SignedHeaders={signed_names},Signature={'0' * 64}"
    headers = {
        "x-acs-action": "SendBatchSms",
        "x-acs-version": "2017-05-25",
        # Never compared with the clock: the payload hash is checked first.
        "x-acs-date": "2026-11-23T02:00:00Z",
        "x-acs-signature-nonce": "nonce-1",
        "x-acs-content-sha256": hashlib.sha256(b"PhoneNumberJson=%5B%2213800000001%22%5D").hexdigest(),
        "Authorization": authorization,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    answer = requests.post(
        f"{aliyun_standin.url}/", data=b"PhoneNumberJson=%5B%2213900000009%22%5D", headers=headers
    )
    assert answer.status_code == 400
    assert answer.json()["Code"] == "SignatureDoesNotMatch" and "payload hash" in answer.json()["Message"]
    assert aliyun_standin.messages.all() == []
