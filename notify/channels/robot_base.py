"""What the three group-robot senders share: one HTTP call per robot, answers read from the body.

WeCom, DingTalk and Feishu answer HTTP 200 even when they refuse a message; only the body's
`errcode` / `code` says whether it reached the group. A robot "batch" is therefore one message
per robot, each its own call; the calls of a batch run side by side on a small thread pool.

The senders know nothing of the database: the dispatch layer hands them `resolve` (addresses →
webhook URL and secret) and `budget` (the per-robot send limits, shared by every worker), so
a robot's key and secret never travel in delivery rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from notify import clock as platform_clock
from notify.channels import outbound
from notify.channels.base import Message, Outcome, Result

TRUNCATED = {
    "zh": "\n\n……（内容较长，全文见县政府网站）",
    "en": "\n\n… (shortened; full text on the county website)",
}
# Level words in the first line of the frozen markdown, for the platforms that colour a card.
LEVEL_COLOURS = (
    ("红色", "red"),
    ("橙色", "orange"),
    ("黄色", "yellow"),
    ("蓝色", "blue"),
    ("red", "red"),
    ("orange", "orange"),
    ("yellow", "yellow"),
    ("blue", "blue"),
)


@dataclass(frozen=True)
class RobotTarget:
    kind: str
    webhook_url: str
    secret: str | None


class RobotBudget(Protocol):
    """Per-robot send limits shared by all workers (notify.dispatch.robot_limits)."""

    def admit(self, address: str) -> float:
        """0 = a slot was taken, send now; otherwise seconds until the robot has budget."""

    def block(self, address: str, seconds: float) -> None:
        """The platform said "too fast": give this robot nothing for `seconds`."""


@dataclass(frozen=True)
class Answer:
    """How the sender reads one platform error code."""

    outcome: Outcome  # "transient" | "permanent" | "deferred" (throttled: wait, spend no attempt)
    wait: float = 0.0  # for deferred: seconds until the robot may be tried again
    block: bool = False  # the platform blocks the robot for `wait`: tell the budget


class RobotGateway:
    name = "robot"
    kind = "robot"
    text_key = "robot"
    confirms_delivery = True  # errcode 0 means the message is in the group: nothing comes later
    max_batch = 60
    errors: dict[int, Answer] = {}
    unknown_error = Answer("transient")

    def __init__(
        self,
        resolve: Callable[[list[str]], dict[str, RobotTarget]],
        *,
        budget: RobotBudget | None = None,
        timeout: float = 10.0,
        workers: int = 8,
        client: httpx.Client | None = None,
        clock: Callable[[], float] | None = None,
        allowed_hosts: Collection[str] = (),
    ):
        self.resolve = resolve
        self.budget = budget
        # Hosts that may be private or loopback all the same (notify.channels.outbound).
        self.allowed_hosts = frozenset(allowed_hosts)
        self.timeout = timeout
        self.workers = max(1, workers)
        self._client = client or httpx.Client(
            timeout=timeout, follow_redirects=False, limits=httpx.Limits(max_connections=self.workers * 2)
        )
        # Signatures carry the time: the platform's clock, read at each send (not bound at import).
        self._clock = clock or (lambda: platform_clock.now().timestamp())

    # -- the contract ------------------------------------------------------------------------
    def send(self, messages: list[Message]) -> list[Result]:
        targets = self.resolve([m.address for m in messages])
        if len(messages) == 1:
            return [self._send_one(messages[0], targets.get(messages[0].address))]
        with ThreadPoolExecutor(
            max_workers=min(self.workers, len(messages)), thread_name_prefix=f"{self.name}-send"
        ) as pool:
            return list(pool.map(lambda m: self._send_one(m, targets.get(m.address)), messages))

    def _send_one(self, message: Message, target: RobotTarget | None) -> Result:
        rid = message.delivery_id
        if target is None or target.kind != self.kind:
            return Result(
                rid,
                "permanent",
                code="robot_unknown",
                reason=f"{message.address} is not an active {self.kind} robot",
            )
        try:
            body = self.payload(message.body)
        except ValueError as exc:
            return Result(rid, "permanent", code="too_long", reason=str(exc)[:300])
        if self.budget is not None:
            wait = self.budget.admit(message.address)
            if wait > 0:
                return Result(
                    rid,
                    "deferred",
                    code="robot_budget",
                    retry_after=wait,
                    reason=f"{self.kind} robot limit reached; next slot in {wait:.1f} s",
                )
        try:
            url, headers, content = self.request(target, body)
        except ValueError as exc:  # a registry entry that cannot be signed (no secret)
            return Result(rid, "permanent", code="robot_config", reason=str(exc)[:300])
        if outbound.problem(url, self.allowed_hosts):
            return Result(
                rid,
                "permanent",
                code="forbidden_address",
                reason=f"{self.kind}: the webhook's host is not a public http(s) address",
            )
        try:
            response = self._client.post(url, content=content, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            return Result(rid, "transient", code="timeout", reason=f"{self.kind}: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return Result(rid, "transient", code="connection", reason=f"{self.kind}: {exc!r}"[:300])
        return self.read(rid, message.address, response)

    def read(self, rid: int, address: str, response: httpx.Response) -> Result:
        if response.status_code >= 500 or response.status_code == 429:
            return Result(
                rid,
                "transient",
                code=f"http_{response.status_code}",
                reason=f"{self.kind} answered HTTP {response.status_code}",
            )
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            outcome: Outcome = "permanent" if 400 <= response.status_code < 500 else "transient"
            return Result(
                rid,
                outcome,
                code=f"http_{response.status_code}",
                reason=f"{self.kind} answered HTTP {response.status_code} without a JSON body",
            )
        code, text = self.code_of(data)
        if code == 0 and response.status_code == 200:
            return Result(rid, "accepted")
        if code is None:
            return Result(
                rid,
                "transient",
                code=f"http_{response.status_code}",
                reason=f"{self.kind} answer carries no error code: {str(data)[:200]}",
            )
        answer = self.errors.get(code, self.unknown_error)
        reason = f"{self.kind} {code}: {text}"[:300]
        if answer.outcome == "deferred":
            if answer.block and self.budget is not None:
                self.budget.block(address, answer.wait)
            return Result(rid, "deferred", code=str(code), reason=reason, retry_after=answer.wait)
        return Result(rid, answer.outcome, code=str(code), reason=reason)

    # -- per platform ------------------------------------------------------------------------
    def payload(self, markdown: str) -> dict[str, Any]:
        raise NotImplementedError

    def request(self, target: RobotTarget, payload: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
        raise NotImplementedError

    @staticmethod
    def code_of(data: dict[str, Any]) -> tuple[int | None, str]:
        raise NotImplementedError


# -- markdown fitting ------------------------------------------------------------------------
def encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def title_of(markdown: str) -> str:
    first = next((line for line in markdown.splitlines() if line.strip()), "")
    return re.sub(r"^[#>\s*]+", "", first).replace("**", "").strip()[:100]


def colour_of(markdown: str) -> str | None:
    title = title_of(markdown)
    if "解除" in title or "lifted" in title.lower():
        return "green"
    return next((colour for word, colour in LEVEL_COLOURS if word in title), None)


def fit(markdown: str, size: Callable[[str], int], limit: int) -> str:
    """The longest head of `markdown` (whole lines first) whose size stays within `limit`.

    A warning's advice can run long; a robot refuses an oversized message outright, so the tail
    is cut and a pointer to the full text put in its place, never the headline.
    """
    if size(markdown) <= limit:
        return markdown
    note = TRUNCATED["zh"] if re.search(r"[\u4e00-\u9fff]", markdown) else TRUNCATED["en"]
    lines = markdown.splitlines()
    while len(lines) > 1:
        lines.pop()
        candidate = "\n".join(lines).rstrip() + note
        if size(candidate) <= limit:
            return candidate
    text = lines[0] if lines else ""
    lo, hi = 0, len(text)
    while lo < hi:  # one very long line: cut by characters
        mid = (lo + hi + 1) // 2
        if size(text[:mid] + note) <= limit:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        raise ValueError("the message does not fit this robot's size limit even when shortened")
    return text[:lo] + note
