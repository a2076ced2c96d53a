"""The Aliyun stand-in simulates a phone replying (上行短信): pushed as Aliyun's SmsUp does."""

from __future__ import annotations

import time

import requests

FIELDS = {"phone_number", "send_time", "content", "sign_name", "dest_code", "sequence_id"}


def test_a_reply_is_pushed_as_a_json_array_with_the_smsup_fields(aliyun_standin, report_sink):
    aliyun_standin.faults.update(uplink_url=f"{report_sink.url}/uplink/secret")
    answer = requests.post(
        f"{aliyun_standin.url}/_sandbox/uplink",
        json={"phone_number": "13903540001", "content": "收到"},
        timeout=5,
    )
    assert answer.status_code == 202
    [post] = report_sink.wait_for(1)
    assert post.path == "/uplink/secret"
    [item] = post.json()
    assert set(item) == FIELDS and item["phone_number"] == "13903540001" and item["content"] == "收到"
    assert isinstance(item["sequence_id"], int) and item["sequence_id"] == answer.json()["sequence_id"]
    second = aliyun_standin.reply("+8613903540002", "1")
    assert second["sequence_id"] > item["sequence_id"]


def test_an_unanswered_reply_is_pushed_again(aliyun_standin, report_sink):
    report_sink.answers = [(500, "busy"), (200, {"code": 0})]
    aliyun_standin.faults.update(uplink_url=f"{report_sink.url}/uplink/secret")
    aliyun_standin.reply("13903540001", "1")
    posts = report_sink.wait_for(2)
    assert len(posts) == 2 and posts[0].json() == posts[1].json()
    # The stand-in notes an attempt once the answer is back, just after the sink has it.
    deadline = time.monotonic() + 5
    while True:
        attempts = [r for r in aliyun_standin.reports.all() if r["kind"] == "uplink"]
        if len(attempts) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [a["acknowledged"] for a in attempts] == [False, True]


def test_bad_simulations_are_refused(aliyun_standin):
    url = f"{aliyun_standin.url}/_sandbox/uplink"
    assert (
        requests.post(url, json={"phone_number": "13903540001", "content": "1"}, timeout=5).status_code == 400
    )
    aliyun_standin.faults.update(uplink_url="http://127.0.0.1:9/x")
    assert (
        requests.post(url, json={"phone_number": "+447911123456", "content": "1"}, timeout=5).status_code
        == 400
    )
    assert requests.post(url, json={"content": "1"}, timeout=5).status_code == 400
