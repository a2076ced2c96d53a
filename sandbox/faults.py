"""Fault switches, the record of received messages and the /_sandbox/* control routes.

Every stand-in owns one FaultSwitches, one MessageLog and one ReportLog. Tests change the switches
from Python (`standin.faults.update(error_5xx_share=0.3)`); the demo and a county IT officer use
HTTP (`POST /_sandbox/faults` with the same names in JSON). `reset()` goes back to the values the
stand-in was started with, and empties both logs.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from flask import Blueprint, jsonify, request


@dataclass
class Switches:
    # --- faults ---------------------------------------------------------------------------
    latency_ms: int = 0  # added before every API call is answered
    error_5xx_share: float = 0.0  # share of API calls answered with the service's 5xx error
    timeout_share: float = 0.0  # share of API calls held for timeout_hold_ms (client times out)
    timeout_hold_ms: int = 10_000
    # After the hold, False answers 504 and drops the message; True accepts it anyway, the
    # ambiguous case (the provider took it, the answer never came back) that makes duplicates.
    timeout_accepts: bool = False
    # Messages per second the account may send; beyond it the service's throttling error.
    throttle_per_second: float | None = None
    # Per number: {"stage": "create" | "report", "code": "...", "status": "failed"?}.
    # Numbers are keyed as the API receives them (Twilio "+1…", Aliyun "138…"). The create-stage
    # code "timeout" holds that number's call for timeout_hold_ms instead of answering.
    number_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    # --- status callbacks / receipts ------------------------------------------------------
    reports_enabled: bool = True
    report_delay_ms: int = 200  # from acceptance to the first callback / receipt push
    reports_out_of_order: bool = False  # Twilio: post the statuses of a message newest first
    report_timeout_s: float = 5.0  # how long a callback POST waits for the receiver
    receipt_url: str | None = None  # Aliyun: the console-configured receipt address
    receipt_batch_size: int = 100  # Aliyun: receipts per push
    repush_delays_s: list[float] = field(default_factory=lambda: [60.0, 300.0, 600.0])
    uplink_url: str | None = None  # Aliyun: where replies to our messages (上行短信) are pushed
    # --- bookkeeping ----------------------------------------------------------------------
    record_messages: bool = True  # off for million-message benchmarks (memory)
    seed: int | None = None  # makes the random fault draws repeatable


def merged_switches(base: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """A stand-in's switches (a dataclass) with changes applied, as a dict for its own further
    checks; unknown names and shares outside 0..1 are refused with ValueError."""
    unknown = set(changes) - {f.name for f in fields(base)}
    if unknown:
        raise ValueError(f"unknown switches: {', '.join(sorted(unknown))}")
    values = asdict(base)
    values.update(changes)
    for share in ("error_5xx_share", "timeout_share"):
        if share in values and not 0.0 <= float(values[share]) <= 1.0:
            raise ValueError(f"{share} must be between 0 and 1")
    return values


def switches_view(update, current):
    """`POST /_sandbox/faults` of a stand-in: apply a JSON object of switches, answer them all."""

    def set_faults():
        changes = request.get_json(silent=True)
        if not isinstance(changes, dict):
            return jsonify(error="send a JSON object of switches"), 400
        try:
            update(**changes)
        except (ValueError, TypeError) as exc:
            return jsonify(error=str(exc)), 400
        return jsonify(current())

    return set_faults


class FaultSwitches:
    """The switches of one stand-in, safe to change while requests are being served."""

    def __init__(self, **initial: Any):
        self._lock = threading.Lock()
        self._defaults = self._validated(Switches(), initial)
        self._current = replace(self._defaults, number_errors=dict(self._defaults.number_errors))
        self._random = random.Random(self._current.seed)
        self._window: deque[tuple[float, int]] = deque()  # (time, messages) in the last second
        # Set on shutdown so held ("timed out") requests are released at once.
        self.stopping = threading.Event()

    @staticmethod
    def _validated(base: Switches, changes: dict[str, Any]) -> Switches:
        values = merged_switches(base, changes)
        if not isinstance(values["number_errors"], dict):
            raise ValueError("number_errors must be an object keyed by number")
        for number, rule in values["number_errors"].items():
            if (
                not isinstance(rule, dict)
                or rule.get("stage") not in ("create", "report")
                or not rule.get("code")
            ):
                raise ValueError(f"number_errors[{number}] needs stage create|report and a code")
        return Switches(**values)

    @property
    def current(self) -> Switches:
        return self._current

    def update(self, **changes: Any) -> Switches:
        with self._lock:
            self._current = self._validated(self._current, changes)
            if "seed" in changes:
                self._random = random.Random(self._current.seed)
            return self._current

    def reset(self) -> None:
        with self._lock:
            self._current = replace(self._defaults, number_errors=dict(self._defaults.number_errors))
            self._random = random.Random(self._current.seed)
            self._window.clear()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self._current)

    # --- draws made per API call ------------------------------------------------------------
    def draw(self, share: float) -> bool:
        if share <= 0:
            return False
        with self._lock:
            return self._random.random() < share

    def apply_latency(self) -> None:
        if self._current.latency_ms > 0:
            self.stopping.wait(self._current.latency_ms / 1000)

    def hold_for_timeout(self) -> None:
        self.stopping.wait(self._current.timeout_hold_ms / 1000)

    def admit(self, messages: int) -> bool:
        """Count `messages` against the per-second limit; False means throttle this call.

        A sliding one-second window: a call is refused once the messages already accepted in the
        last second reach the limit (a single big call may overshoot it, as one SendSms of 1,000
        numbers is one request)."""
        limit = self._current.throttle_per_second
        if not limit:
            return True
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0][0] >= 1.0:
                self._window.popleft()
            in_window = sum(n for _, n in self._window)
            if in_window >= limit:
                return False
            self._window.append((now, messages))
            return True

    def number_error(self, number: str, stage: str) -> dict[str, str] | None:
        rule = self._current.number_errors.get(number)
        if rule and rule.get("stage") == stage:
            return rule
        return None


@dataclass(slots=True)
class ReceivedMessage:
    """One message as the stand-in received it (one number of an Aliyun call is one message)."""

    service: str
    provider_id: str | None  # Twilio sid / Aliyun BizId; None when refused
    to: str
    body: str
    sender: str | None  # From / MessagingServiceSid / SignName
    out_id: str | None  # Aliyun OutId; Twilio: the StatusCallback URL's query, if any
    callback_url: str | None
    received_at: float
    accepted: bool
    code: str | None = None  # the error code it was refused with
    segments: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class MessageLog:
    """Every message the stand-in received, accepted or refused, in arrival order."""

    def __init__(self, switches: FaultSwitches):
        self._switches = switches
        self._lock = threading.Lock()
        self._items: list[ReceivedMessage] = []
        self.accepted_total = 0  # counted even when record_messages is off
        self.refused_total = 0

    def add(self, message: ReceivedMessage) -> None:
        with self._lock:
            if message.accepted:
                self.accepted_total += 1
            else:
                self.refused_total += 1
            if self._switches.current.record_messages:
                self._items.append(message)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.accepted_total = self.refused_total = 0

    def all(self, *, accepted: bool | None = None, to: str | None = None) -> list[ReceivedMessage]:
        with self._lock:
            items = list(self._items)
        return [
            m for m in items if (accepted is None or m.accepted == accepted) and (to is None or m.to == to)
        ]

    def count_per_number(self) -> Counter[str]:
        """Accepted messages per number: more than 1 for a number means a duplicate send."""
        return Counter(m.to for m in self.all(accepted=True))

    def count_per_out_id(self) -> Counter[str]:
        return Counter(m.out_id for m in self.all(accepted=True) if m.out_id is not None)

    def duplicates(self) -> dict[str, int]:
        return {number: n for number, n in self.count_per_number().items() if n > 1}


class ReportLog:
    """Every status callback / receipt push the stand-in attempted, with its outcome."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[dict[str, Any]] = []

    def add(self, **entry: Any) -> None:
        entry.setdefault("at", time.time())
        with self._lock:
            self._items.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items)


def control_blueprint(standin: Any) -> Blueprint:
    """The /_sandbox/* routes: switches, received messages, report attempts, reset.

    `standin` has .faults (FaultSwitches), .messages (MessageLog), .reports (ReportLog), .reset().
    They carry no authentication: the stand-ins listen on loopback for the demo and the tests."""
    bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")

    @bp.get("/faults")
    def get_faults():
        return jsonify(standin.faults.as_dict())

    bp.add_url_rule(
        "/faults",
        "set_faults",
        switches_view(standin.faults.update, standin.faults.as_dict),
        methods=["POST"],
    )

    @bp.get("/messages")
    def get_messages():
        to = request.args.get("to")
        accepted = {"true": True, "false": False}.get(request.args.get("accepted", ""))
        items = standin.messages.all(accepted=accepted, to=to)
        return jsonify(
            accepted_total=standin.messages.accepted_total,
            refused_total=standin.messages.refused_total,
            duplicates=standin.messages.duplicates(),
            messages=[m.as_dict() for m in items],
        )

    @bp.get("/reports")
    def get_reports():
        return jsonify(reports=standin.reports.all())

    @bp.post("/reset")
    def reset():
        standin.reset()
        return jsonify(ok=True)

    return bp
