"""The three robot senders against their stand-ins: signing, answers in the body, error mapping."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import httpx
import pytest

from notify.channels import dingtalk_robot, feishu_robot
from notify.channels.base import Message
from notify.channels.dingtalk_robot import DingTalkRobotGateway
from notify.channels.feishu_robot import FeishuRobotGateway
from notify.channels.robot_base import RobotTarget
from notify.channels.wecom_robot import WeComRobotGateway
from notify.dispatch.robot_limits import MemoryRobotBudget

GATEWAYS = {"wecom": WeComRobotGateway, "dingtalk": DingTalkRobotGateway, "feishu": FeishuRobotGateway}
MARKDOWN = (
    "# 【红色预警】盂县发布重污染天气红色预警\n\n**预警级别**：红色预警（启动Ⅰ级响应）\n**首要污染物**：PM2.5"
)


# The stand-ins listen on loopback, which a gateway refuses unless allowed (notify.channels.outbound).
STANDINS = {"127.0.0.1"}


def gateway(kind, registry, **kwargs):
    def resolve(addresses):
        return {a: registry[a] for a in addresses if a in registry}

    return GATEWAYS[kind](resolve, timeout=2.0, allowed_hosts=STANDINS, **kwargs)


def one(kind, new_robot, *, signed=True, secret_override=None, markdown=MARKDOWN, **kwargs):
    token, secret, url = new_robot(kind, signed)
    target = RobotTarget(kind, url, secret_override if secret_override is not None else (secret or None))
    gw = gateway(kind, {"robot:1": target}, **kwargs)
    return token, gw.send([Message(11, "robot:1", markdown)])[0]


def test_dingtalk_sign_is_the_documented_computation():
    secret, ts = "SEC0123456789abcdef", 1700000000123
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert dingtalk_robot.sign(secret, ts) == quote_plus(base64.b64encode(digest).decode())
    assert "%" in dingtalk_robot.sign(secret, ts) or "+" not in base64.b64encode(digest).decode()


def test_feishu_sign_puts_the_secret_in_the_key_and_signs_nothing():
    secret, ts = "feishu-secret", 1700000000
    expected = base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    assert feishu_robot.sign(secret, ts) == expected


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_a_signed_message_reaches_the_group(kind, new_robot, robot_standins):
    token, result = one(kind, new_robot)
    assert result.outcome == "accepted", result
    [call] = robot_standins.received(kind, token)
    assert call.accepted and call.code == 0
    assert "盂县发布重污染天气红色预警" in call.text


def test_feishu_card_takes_the_level_colour(new_robot, robot_standins):
    token, result = one("feishu", new_robot)
    [call] = robot_standins.received("feishu", token)
    assert call.payload["msg_type"] == "interactive"
    assert call.payload["card"]["header"]["template"] == "red"
    assert call.payload["card"]["header"]["title"]["content"].startswith("【红色预警】")


@pytest.mark.parametrize("kind,code", [("dingtalk", "310000"), ("feishu", "19021")])
def test_wrong_secret_is_a_permanent_failure_with_the_platform_code(kind, code, new_robot, robot_standins):
    token, result = one(kind, new_robot, secret_override="SECwrong")
    assert (result.outcome, result.code) == ("permanent", code)
    [call] = robot_standins.received(kind, token)
    assert not call.accepted


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
def test_unsigned_call_to_a_signing_robot_is_refused(kind, new_robot, robot_standins):
    token, result = one(kind, new_robot, secret_override="")
    assert result.outcome == "permanent" and result.code in ("310000", "19021")


def test_stale_timestamp_is_refused(new_robot):
    # A worker whose clock is two hours off signs correctly but out of the platform's window.
    token, result = one("dingtalk", new_robot, clock=lambda: time.time() - 7200)
    assert (result.outcome, result.code) == ("permanent", "310000")
    token, result = one("feishu", new_robot, clock=lambda: time.time() - 7200)
    assert (result.outcome, result.code) == ("permanent", "19021")


@pytest.mark.parametrize("kind,code", [("wecom", "93000"), ("dingtalk", "300001"), ("feishu", "19001")])
def test_unknown_key_is_permanent(kind, code, robot_standins):
    url = robot_standins.webhook_url(kind, "no-such-robot")
    gw = gateway(kind, {"robot:1": RobotTarget(kind, url, None)})
    [result] = gw.send([Message(1, "robot:1", MARKDOWN)])
    assert (result.outcome, result.code) == ("permanent", code)


def test_http_200_with_an_error_code_is_a_failure(new_robot, robot_standins):
    token, _, url = new_robot("wecom")
    robot_standins.update(robot_errors={token: 93004})
    gw = gateway("wecom", {"robot:1": RobotTarget("wecom", url, None)})
    response = httpx.post(url, json={"msgtype": "text", "text": {"content": "x"}})
    assert response.status_code == 200 and response.json()["errcode"] == 93004
    [result] = gw.send([Message(1, "robot:1", MARKDOWN)])
    assert (result.outcome, result.code) == ("permanent", "93004")


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_unknown_error_code_and_5xx_are_transient(kind, new_robot, robot_standins):
    token, secret, url = new_robot(kind)
    gw = gateway(kind, {"robot:1": RobotTarget(kind, url, secret or None)})
    robot_standins.update(robot_errors={token: 777777})
    [result] = gw.send([Message(1, "robot:1", MARKDOWN)])
    assert (result.outcome, result.code) == ("transient", "777777")
    robot_standins.update(robot_errors={}, error_5xx_share=1.0)
    [result] = gw.send([Message(2, "robot:1", MARKDOWN)])
    assert (result.outcome, result.code) == ("transient", "http_502")


def test_timeout_is_transient(new_robot, robot_standins):
    token, secret, url = new_robot("feishu")
    robot_standins.update(timeout_share=1.0, timeout_hold_ms=1500)
    gw = FeishuRobotGateway(
        lambda a: {"robot:1": RobotTarget("feishu", url, secret)}, timeout=0.3, allowed_hosts=STANDINS
    )
    [result] = gw.send([Message(1, "robot:1", MARKDOWN)])
    assert (result.outcome, result.code) == ("transient", "timeout")


@pytest.mark.parametrize(
    "kind,code,blocks", [("wecom", "45009", False), ("dingtalk", "130101", True), ("feishu", "11232", False)]
)
def test_throttled_answer_defers_without_spending_an_attempt(kind, code, blocks, new_robot, robot_standins):
    """Another system used up the robot's minute: the platform's answer puts ours back in the queue."""
    token, secret, url = new_robot(kind)
    target = RobotTarget(kind, url, secret or None)
    quick = gateway(kind, {"robot:1": target})
    sent = 0
    while True:  # fill the robot's window from outside the platform's budget
        [r] = quick.send([Message(sent, "robot:1", f"# 其他系统消息 {sent}")])
        if r.outcome != "accepted":
            break
        sent += 1
    assert r.outcome == "deferred" and r.code == code and r.retry_after > 0
    budget = MemoryRobotBudget(((1000, 60.0),))
    gw = (
        gateway(kind, {"robot:1": target}, budget=budget, block_seconds=42.0)
        if kind == "dingtalk"
        else gateway(kind, {"robot:1": target}, budget=budget)
    )
    [r] = gw.send([Message(99, "robot:1", MARKDOWN)])
    assert r.outcome == "deferred"
    if kind == "dingtalk":
        assert r.code == "410100"  # blocked for 10 minutes after the excess
        assert 41 < budget.admit("robot:1") <= 42  # the budget now holds the robot back
    assert robot_standins.max_in_window(kind, token, 60.0) <= 20 if kind != "feishu" else True


def test_markdown_is_fitted_to_each_robot_size_limit(new_robot, robot_standins):
    long = (
        MARKDOWN
        + "\n"
        + "\n".join(f"- 第{i}条防护措施：减少户外活动，佩戴口罩，关闭门窗。" for i in range(800))
    )
    for kind, limit in (("wecom", 4096), ("dingtalk", 20000), ("feishu", 20 * 1024)):
        token, result = one(kind, new_robot, markdown=long)
        assert result.outcome == "accepted", (kind, result)
        [call] = robot_standins.received(kind, token)
        assert "全文见县政府网站" in call.text and "盂县发布重污染天气红色预警" in call.text
        if kind == "wecom":
            assert len(call.payload["markdown"]["content"].encode()) <= limit


def test_wecom_refuses_oversized_markdown_with_40058(new_robot, robot_standins):
    token, _, url = new_robot("wecom")
    answer = httpx.post(url, json={"msgtype": "markdown", "markdown": {"content": "预" * 2000}}).json()
    assert answer["errcode"] == 40058


def test_a_robot_missing_from_the_registry_is_permanent():
    gw = gateway("wecom", {})
    [result] = gw.send([Message(5, "robot:77", MARKDOWN)])
    assert (result.outcome, result.code) == ("permanent", "robot_unknown")


def test_budget_without_room_defers_before_calling(new_robot, robot_standins):
    token, secret, url = new_robot("wecom")
    budget = MemoryRobotBudget(((2, 60.0),), margin=0.0)
    gw = gateway("wecom", {"robot:1": RobotTarget("wecom", url, None)}, budget=budget)
    results = gw.send([Message(i, "robot:1", f"# 消息 {i}") for i in range(4)])
    assert sorted(r.outcome for r in results) == ["accepted", "accepted", "deferred", "deferred"]
    assert all(55 < r.retry_after <= 63.1 for r in results if r.outcome == "deferred")
    assert len(robot_standins.received("wecom", token)) == 2
