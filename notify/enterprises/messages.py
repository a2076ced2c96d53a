"""What enterprises, their townships and the ecology bureau receive about duties, and the
delivery rows that carry it.

Rendered from notify/templates/messages/enterprise_*_zh.txt (enterprises are reached in Chinese)
with the snapshot's headline and level and the frozen duty only. A publication's duty SMS are
thousands, written by the executors after its commit in chunks (notify.enterprises.duty_notices),
so the per-enterprise texts are rendered once per revision and chunk with placeholders where the
enterprise's own values go (its name, measure, link), and each row only fills them in; the rows'
common parts (priority, signature, gateway rules) are likewise worked out once (Rows).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from jinja2 import Template

from notify.channels import sms_segments
from notify.channels.sms_signature import Signatures
from notify.dispatch import priority, routing
from notify.models import Revision
from notify.models.deliveries import Status

PURPOSE = "enterprise_duty"  # the duty or its release, one SMS per enterprise and revision
REMINDER = "enterprise_duty_reminder"
REPORT = "enterprise_duty_report"
PURPOSES = (PURPOSE, REMINDER, REPORT)

# A measure longer than this is cut in the SMS: the link shows it whole.
MAX_MEASURE_CHARS = 70
# A list of names longer than this is cut with “等N家”; the console has the full list.
MAX_NAMES_CHARS = 300
EXEMPT_REASONS_ZH = {"livelihood": "保民生企业", "heat_based": "以热定产企业", "micro": "小微涉气企业"}
_TRAILING = "。；;，,. "
# Stand-ins for the per-row values in a rendered skeleton: no template text contains them.
_HOLES = {name: f"\x00{name}\x00" for name in ("name", "measure", "link", "reason", "response")}


def job_id(revision_id: int, stage: int) -> str:
    """The stored job of a revision's escalation: 1 reminds at due_at, 2 reports later."""
    return f"enterprises:{revision_id}:{stage}"


def zone(revision: Revision) -> ZoneInfo:
    return ZoneInfo(revision.warning.jurisdiction.timezone or "Asia/Shanghai")


def local_time(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def short_measure(text: str) -> str:
    """The duty's text on one line without its closing stop, cut for an SMS."""
    text = one_line(text).rstrip(_TRAILING)
    if len(text) <= MAX_MEASURE_CHARS:
        return text
    return text[: MAX_MEASURE_CHARS - 1].rstrip(_TRAILING) + "…"


def names_list(names: list[str]) -> str:
    """Names joined, cut with “等N家” once they would make the text too long."""
    shown, length = [], 0
    for name in names:
        if length + len(name) + 1 > MAX_NAMES_CHARS:
            break
        shown.append(name)
        length += len(name) + 1
    text = "、".join(shown)
    return text if len(shown) == len(names) else f"{text}等{len(names)}家"


class Texts:
    """The texts of one revision's messages."""

    def __init__(self, revision: Revision, content: dict[str, Any], due_at: datetime | None):
        self.tz = zone(revision)
        level = content["level"]
        self.common = {
            "place": content["jurisdiction"]["name_zh"],
            "headline": content["headline"]["zh"],
            "level": level["name_zh"],
            "response": level.get("response_level_zh") or "应急响应",
            "due": local_time(due_at, self.tz) if due_at else "",
        }
        self._templates: dict[str, Template] = {}
        self._skeletons: dict[tuple[str, ...], str] = {}

    def _template(self, which: str) -> Template:
        template = self._templates.get(which)
        if template is None:
            template = self._templates[which] = current_app.jinja_env.get_template(
                f"messages/enterprise_{which}_zh.txt"
            )
        return template

    def _render(self, which: str, /, **values: Any) -> str:
        return one_line(self._template(which).render({**self.common, **values}))

    def _fill(self, which: str, /, **values: str) -> str:
        """The template rendered once with holes, then this row's values put in them."""
        key = (which, *sorted(values))
        skeleton = self._skeletons.get(key)
        if skeleton is None:
            skeleton = self._skeletons[key] = self._render(which, **{k: _HOLES[k] for k in values})
        for name, value in values.items():
            skeleton = skeleton.replace(_HOLES[name], one_line(value))
        return skeleton

    def duty(self, *, name: str, measure: str, link: str) -> str:
        return self._fill("duty", name=name, measure=short_measure(measure), link=link)

    def continued(self, *, name: str, measure: str, link: str) -> str:
        """The same duty again (an extension), for an enterprise already in place."""
        return self._fill("continue", name=name, measure=short_measure(measure), link=link)

    def exempt(self, *, name: str, reason: str) -> str:
        return self._fill("exempt", name=name, reason=EXEMPT_REASONS_ZH.get(reason, "豁免企业"))

    def no_measure(self, *, name: str) -> str:
        return self._fill("none", name=name)

    def release(self, *, name: str, response: str = "") -> str:
        # The response that ends is the one the enterprise was under, not the lifting's level.
        return self._fill("release", name=name, response=response or self.common["response"])

    def robot(self, *, names: list[str], measure: str, release: bool = False) -> str:
        return self._render(
            "robot_release" if release else "robot", names=names, measure=short_measure(measure)
        )

    def reminder(self, *, name: str, measure: str, link: str) -> str:
        return self._fill("reminder", name=name, measure=short_measure(measure), link=link)

    def report(self, *, audience: str, names: str, count: int, now: datetime) -> str:
        return self._render(
            "report", audience=audience, names=names, count=count, now=f"{now.astimezone(self.tz):%H:%M}"
        )


class Rows:
    """Pending delivery rows of one revision, for a multi-row INSERT."""

    def __init__(self, revision: Revision, now: datetime):
        self.revision_id = revision.id
        self.now = now
        # Enterprises must act within 2 h (§5.6): their duty is as urgent as the other
        # responders' messages; reminders and reports are routine, like the schools'.
        self.urgent = priority.for_responders(revision)
        self.signatures = Signatures.from_config(current_app.config)

    def segments(self, body: str, gateway: str) -> int:
        """Parts the message costs as the phone shows it, with its route's signature."""
        return sms_segments.count(self.signatures.phone_text(body, gateway, "zh")).segments

    def row(
        self,
        channel: str,
        address: str,
        body: str,
        *,
        purpose: str,
        expires: datetime | None,
        gateway: str | None = None,
        after_revision_id: int | None = None,
        urgent: bool = True,
    ) -> dict[str, Any]:
        gateway = gateway or routing.gateway_for(address)
        return {
            "revision_id": self.revision_id,
            "after_revision_id": after_revision_id,
            "purpose": purpose,
            "channel": channel,
            "address": address,
            "recipient_id": None,
            "locale": "zh",
            "body": body,
            "status": Status.PENDING,
            "gateway": gateway,
            "attempts": 0,
            "next_attempt_at": self.now,
            "expires_at": expires,
            "error_reason": "",
            "segments": self.segments(body, gateway) if channel == "sms" else None,
            "priority": self.urgent if urgent else priority.ROUTINE,
            "created_at": self.now,
            "updated_at": self.now,
        }
