"""The robot stand-ins behave like the platforms: limits per robot, DingTalk's block, errors in an
HTTP 200 body, and their switches and records over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import httpx

from sandbox.robot_standins import dingtalk_sign_for_url


def wecom(url, n):
    return httpx.post(url, json={"msgtype": "text", "text": {"content": f"消息{n}"}}).json()


def dingtalk(url, secret, n):
    ts = int(time.time() * 1000)
    return httpx.post(
        f"{url}&timestamp={ts}&sign={dingtalk_sign_for_url(secret, ts)}",
        json={"msgtype": "text", "text": {"content": f"消息{n}"}},
    ).json()


def feishu(url, secret, n):
    ts = int(time.time())
    sign = base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    return httpx.post(
        url, json={"timestamp": str(ts), "sign": sign, "msg_type": "text", "content": {"text": f"消息{n}"}}
    ).json()


def test_wecom_takes_20_a_minute_then_45009(new_robot, robot_standins):
    token, _, url = new_robot("wecom")
    codes = [wecom(url, n)["errcode"] for n in range(22)]
    assert codes == [0] * 20 + [45009, 45009]
    assert robot_standins.max_in_window("wecom", token, 60) == 20


def test_dingtalk_blocks_for_ten_minutes_after_the_21st(new_robot, robot_standins):
    token, secret, url = new_robot("dingtalk")
    codes = [dingtalk(url, secret, n)["errcode"] for n in range(22)]
    assert codes == [0] * 20 + [130101, 410100]
    robot_standins.update(dingtalk_block_s=0.5)  # a later block is short; this one still runs
    assert dingtalk(url, secret, 99)["errcode"] == 410100


def test_dingtalk_block_ends(new_robot, robot_standins):
    robot_standins.update(dingtalk_block_s=0.5)
    token, secret, url = new_robot("dingtalk")
    assert [dingtalk(url, secret, n)["errcode"] for n in range(21)][-1] == 130101
    time.sleep(0.6)
    assert dingtalk(url, secret, 21)["errcode"] == 0


def test_feishu_takes_5_a_second(new_robot, robot_standins):
    token, secret, url = new_robot("feishu")
    answers = [feishu(url, secret, n) for n in range(6)]
    assert [a["code"] for a in answers] == [0] * 5 + [11232]
    assert answers[0]["StatusCode"] == 0 and answers[0]["msg"] == "success"
    time.sleep(1.05)
    assert feishu(url, secret, 7)["code"] == 0


def test_errors_come_with_http_200(new_robot, robot_standins):
    token, secret, url = new_robot("dingtalk")
    response = httpx.post(url + "&timestamp=1&sign=x", json={"msgtype": "text", "text": {"content": "x"}})
    assert response.status_code == 200 and response.json()["errcode"] == 310000
    token, secret, url = new_robot("feishu")
    response = httpx.post(
        url,
        json={
            "timestamp": str(int(time.time())),
            "sign": "bad",
            "msg_type": "text",
            "content": {"text": "x"},
        },
    )
    assert response.status_code == 200 and response.json()["code"] == 19021


def test_switches_robots_and_records_over_http(robot_standins):
    base = robot_standins.url
    assert (
        httpx.post(f"{base}/_sandbox/robots", json={"kind": "wecom", "token": "http-robot"}).status_code
        == 201
    )
    assert httpx.post(f"{base}/_sandbox/robots", json={"kind": "fax", "token": "x"}).status_code == 400
    url = robot_standins.webhook_url("wecom", "http-robot")
    assert wecom(url, 1)["errcode"] == 0
    assert httpx.post(f"{base}/_sandbox/faults", json={"error_5xx_share": 1.0}).status_code == 200
    assert httpx.post(url, json={"msgtype": "text", "text": {"content": "x"}}).status_code == 502
    assert httpx.post(f"{base}/_sandbox/faults", json={"nonsense": 1}).status_code == 400
    assert httpx.post(f"{base}/_sandbox/faults", json={"error_5xx_share": 2}).status_code == 400
    httpx.post(f"{base}/_sandbox/faults", json={"error_5xx_share": 0, "robot_errors": {"http-robot": 93004}})
    assert wecom(url, 2)["errcode"] == 93004
    listing = httpx.get(f"{base}/_sandbox/messages", params={"token": "http-robot"}).json()
    assert (listing["accepted_total"], listing["refused_total"]) == (1, 1)
    assert listing["messages"][0]["text"] == "消息1"
    assert httpx.post(f"{base}/_sandbox/reset").json() == {"ok": True}
    assert httpx.get(f"{base}/_sandbox/messages").json()["messages"] == []
