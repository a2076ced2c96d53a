"""WeCom (企业微信) group robot: `POST <webhook_url>` where the URL carries `?key=…`.

No signature: the key in the URL is the credential. Markdown content may be 4,096 bytes (UTF-8);
a robot takes 20 messages a minute. Errors come as `errcode` in an HTTP 200 body.
"""

from __future__ import annotations

from typing import Any

from notify.channels.robot_base import Answer, RobotGateway, RobotTarget, encoded, fit

MARKDOWN_MAX_BYTES = 4096


class WeComRobotGateway(RobotGateway):
    name = kind = "wecom"
    errors = {
        93000: Answer("permanent"),  # invalid webhook url: the key is wrong or the robot removed
        93004: Answer("permanent"),  # the robot is disabled
        40058: Answer("permanent"),  # content too long or a field invalid
        44004: Answer("permanent"),  # empty content
        45009: Answer("deferred", wait=60.0, block=True),  # api freq out of limit (20 a minute)
        -1: Answer("transient"),  # system busy
    }

    def payload(self, markdown: str) -> dict[str, Any]:
        content = fit(markdown, lambda text: len(text.encode()), MARKDOWN_MAX_BYTES)
        return {"msgtype": "markdown", "markdown": {"content": content}}

    def request(self, target: RobotTarget, payload: dict[str, Any]):
        return target.webhook_url, {"Content-Type": "application/json"}, encoded(payload)

    @staticmethod
    def code_of(data: dict[str, Any]):
        code = data.get("errcode")
        return (code if isinstance(code, int) else None), str(data.get("errmsg", ""))
