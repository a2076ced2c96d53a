"""Feishu (飞书) custom bot: `POST <webhook_url>` (`/open-apis/bot/v2/hook/<token>`).

With signature verification on, the JSON body carries `timestamp` (seconds, as a string) and
`sign = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=""))`: the secret is in the key and
the message is empty, as Feishu's own sample computes it. A bot takes 100 messages a minute and
5 a second; the request body may be 20 KB. Answers carry `code` (0 = sent) and `msg`.

The warning goes as an interactive card whose header takes the level's colour.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from notify.channels.robot_base import (
    Answer,
    RobotGateway,
    RobotTarget,
    colour_of,
    encoded,
    fit,
    title_of,
)

BODY_MAX_BYTES = 20 * 1024
# Room kept in the size budget for the timestamp and signature added when the body is signed.
SIGN_ROOM = 80


def sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuRobotGateway(RobotGateway):
    name = kind = "feishu"
    errors = {
        19021: Answer("permanent"),  # sign match fail or timestamp not within one hour
        19001: Answer("permanent"),  # param invalid: incoming webhook access token invalid
        19022: Answer("permanent"),  # IP not allowed
        19024: Answer("permanent"),  # key words not found
        9499: Answer("permanent"),  # bad request (malformed or too large)
        11232: Answer("deferred", wait=5.0, block=True),  # frequency limited
    }

    def payload(self, markdown: str) -> dict[str, Any]:
        title = title_of(markdown) or "预警信息"
        lines = markdown.splitlines()
        body_md = "\n".join(lines[1:]).strip() if lines and title_of(lines[0]) == title else markdown

        def card(text: str) -> dict[str, Any]:
            return {
                "msg_type": "interactive",
                "card": {
                    "config": {"wide_screen_mode": True},
                    "header": {
                        "title": {"tag": "plain_text", "content": title},
                        "template": colour_of(markdown) or "blue",
                    },
                    "elements": [{"tag": "markdown", "content": text}],
                },
            }

        return card(fit(body_md or title, lambda text: len(encoded(card(text))), BODY_MAX_BYTES - SIGN_ROOM))

    def request(self, target: RobotTarget, payload: dict[str, Any]):
        if target.secret:
            timestamp = int(self._clock())
            payload = {"timestamp": str(timestamp), "sign": sign(target.secret, timestamp), **payload}
        return target.webhook_url, {"Content-Type": "application/json; charset=utf-8"}, encoded(payload)

    @staticmethod
    def code_of(data: dict[str, Any]):
        code = data.get("code", data.get("StatusCode"))
        return (code if isinstance(code, int) else None), str(data.get("msg", data.get("StatusMessage", "")))
