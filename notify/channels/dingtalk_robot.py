"""DingTalk (钉钉) custom robot: `POST <webhook_url>&timestamp=…&sign=…` (URL carries access_token).

With "加签" security the URL also carries `timestamp` (milliseconds) and
`sign = urlencode(base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")))`, encoded once;
the platform refuses a timestamp more than an hour away. A robot takes 20 messages a minute; the
21st gets 130101 and the robot is then blocked for 10 minutes (410100 meanwhile).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

from notify.channels.robot_base import Answer, RobotGateway, RobotTarget, encoded, fit, title_of

MESSAGE_MAX_BYTES = 20000
BLOCK_SECONDS = 600.0


def sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value, URL-encoded once, exactly as DingTalk's documentation computes it."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


class DingTalkRobotGateway(RobotGateway):
    name = kind = "dingtalk"

    def __init__(self, *args, block_seconds: float = BLOCK_SECONDS, **kwargs):
        super().__init__(*args, **kwargs)
        throttled = Answer("deferred", wait=block_seconds, block=True)
        self.errors = {
            310000: Answer("permanent"),  # sign not match / timestamp / keywords / IP whitelist
            300001: Answer("permanent"),  # token is not exist
            400013: Answer("permanent"),  # the group was dissolved
            460101: Answer("permanent"),  # message too long
            130101: throttled,  # send too fast, exceed 20 times per minute
            410100: throttled,  # blocked after sending too fast
            -1: Answer("transient"),  # system busy
        }

    def payload(self, markdown: str) -> dict[str, Any]:
        title = title_of(markdown) or "预警信息"

        def size(text: str) -> int:
            return len(encoded({"msgtype": "markdown", "markdown": {"title": title, "text": text}}))

        return {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": fit(markdown, size, MESSAGE_MAX_BYTES)},
        }

    def request(self, target: RobotTarget, payload: dict[str, Any]):
        url = target.webhook_url
        if target.secret:
            timestamp = int(self._clock() * 1000)
            joiner = "&" if "?" in url else "?"
            url = f"{url}{joiner}timestamp={timestamp}&sign={sign(target.secret, timestamp)}"
        return url, {"Content-Type": "application/json;charset=utf-8"}, encoded(payload)

    @staticmethod
    def code_of(data: dict[str, Any]):
        code = data.get("errcode")
        return (code if isinstance(code, int) else None), str(data.get("errmsg", ""))
