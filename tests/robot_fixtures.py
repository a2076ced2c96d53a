"""Fixtures running the group-robot stand-ins and a partner's webhook receiver on free ports.

Registered in tests/conftest.py (`pytest_plugins`): request them by name, never import them.

- `robot_standins` (function): the WeCom/DingTalk/Feishu stand-in, switches reset and records
  emptied before and after the test; `new_robot(kind, signed=True)` registers a fresh robot and
  returns (token, secret, webhook URL).
- `webhook_receiver` (function): a partner endpoint that verifies signatures.
"""

from __future__ import annotations

import secrets

import pytest

from sandbox.robot_standins import RobotStandins
from sandbox.webhook_receiver import WebhookReceiver


@pytest.fixture(scope="session")
def robot_standins_server():
    standin = RobotStandins(timeout_hold_ms=3000).start()
    yield standin
    standin.stop()


@pytest.fixture
def robot_standins(robot_standins_server):
    robot_standins_server.reset()
    yield robot_standins_server
    robot_standins_server.reset()


@pytest.fixture
def new_robot(robot_standins):
    def make(kind: str, signed: bool = True) -> tuple[str, str, str]:
        token = f"t-{kind}-{secrets.token_hex(8)}"
        secret = f"SEC{secrets.token_hex(16)}" if signed and kind != "wecom" else ""
        robot_standins.add_robot(kind, token, secret)
        return token, secret, robot_standins.webhook_url(kind, token)

    return make


@pytest.fixture(scope="session")
def webhook_receiver_server():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook_receiver(webhook_receiver_server):
    webhook_receiver_server.reset()
    yield webhook_receiver_server
    webhook_receiver_server.reset()
