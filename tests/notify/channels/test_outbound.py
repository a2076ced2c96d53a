"""Robots and partner webhooks are posted to public http(s) addresses only, unless a host is
allowed by name; checked again at send time (issue 13, item 16)."""

from __future__ import annotations

import json

import pytest

from notify.channels import outbound
from notify.channels.base import Message
from notify.channels.partner_webhook import PartnerWebhookGateway, WebhookTarget
from notify.channels.robot_base import RobotTarget
from notify.channels.wecom_robot import WeComRobotGateway

SECRET = "partner-secret-0123456789abcdef"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5105/robot/send?access_token=x",
        "http://localhost/hook",  # a name resolving to loopback
        "http://2130706433/hook",  # 127.0.0.1 spelt as one number
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://169.254.169.254/latest/meta-data/",  # link-local: the cloud's metadata service
        "http://10.0.0.5/hook",
        "https://192.168.1.20/hook",
        "http://100.64.0.1/hook",  # carrier-grade NAT, shared address space
        "http://0.0.0.0:8080/hook",
        "http://240.0.0.1/hook",  # reserved
        "http://224.0.0.1/hook",  # multicast
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(url):
    assert outbound.problem(url) == "address"


@pytest.mark.parametrize(
    "url", ["ftp://partner.example.cn/h", "file:///etc/passwd", "gopher://x/", "http:///x"]
)
def test_only_http_and_https_are_allowed(url):
    assert outbound.problem(url) == "scheme"


def test_public_and_allowed_hosts_pass():
    assert outbound.problem("https://8.8.8.8/hook") is None
    assert outbound.problem("http://127.0.0.1:5106/partner/a", {"127.0.0.1"}) is None
    assert outbound.problem("http://LOCALHOST/hook", {"localhost"}) is None
    # A name that does not resolve has no address to refuse; the send fails to connect.
    assert outbound.problem("https://partner.example.invalid/hook") is None


def test_a_robot_on_a_loopback_address_is_not_called_at_send_time(new_robot, robot_standins):
    token, _, url = new_robot("wecom")
    gateway = WeComRobotGateway(lambda addresses: {"robot:1": RobotTarget("wecom", url, None)}, timeout=2.0)
    [result] = gateway.send([Message(7, "robot:1", "# 预警\n内容")])
    assert (result.outcome, result.code) == ("permanent", "forbidden_address")
    assert robot_standins.received(token=token) == []
    allowed = WeComRobotGateway(
        lambda addresses: {"robot:1": RobotTarget("wecom", url, None)},
        timeout=2.0,
        allowed_hosts={"127.0.0.1"},
    )
    assert allowed.send([Message(8, "robot:1", "# 预警\n内容")])[0].outcome == "accepted"


def test_a_webhook_on_a_loopback_address_is_not_posted_at_send_time(webhook_receiver):
    webhook_receiver.partners["daily"] = SECRET
    target = WebhookTarget(webhook_receiver.endpoint("daily"), SECRET)
    gateway = PartnerWebhookGateway(lambda addresses: {"webhook:1": target}, timeout=2.0)
    [result] = gateway.send([Message(9, "webhook:1", json.dumps({"id": "x"}))])
    assert (result.outcome, result.code) == ("permanent", "forbidden_address")
    assert webhook_receiver.posts == []
