"""The one contract every push channel and gateway keeps.

The dispatcher hands a gateway a batch of messages and gets back one result per message; it
never learns how the gateway talks to the outside world. A gateway that cannot be reached at all
raises GatewayUnavailable, which the dispatcher counts toward that gateway's circuit breaker.
Status callbacks and receipts are parsed into StatusReport values, which the dispatcher applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

# "deferred": not tried, or refused for sending too fast; try again after `retry_after` seconds
# without counting it as an attempt (a robot without budget, a platform's throttling answer).
Outcome = Literal["accepted", "transient", "permanent", "deferred"]
# Statuses a gateway can report after accepting a message; "delivered", "undelivered" and
# "failed" are terminal.
ReportedStatus = Literal["sending", "sent", "delivered", "undelivered", "failed"]


@dataclass(frozen=True)
class Message:
    delivery_id: int
    address: str  # E.164 for SMS, e.g. +8613800000000
    body: str


@dataclass(frozen=True)
class Result:
    delivery_id: int
    outcome: Outcome
    provider_id: str | None = None  # Twilio's SM… sid, Aliyun's BizId
    code: str | None = None  # the gateway's own error code, kept as it came
    reason: str = ""
    # Seconds the gateway asked us to wait (Retry-After, a robot's budget); None = our backoff.
    retry_after: float | None = None


@dataclass(frozen=True)
class StatusReport:
    status: ReportedStatus
    provider_id: str | None = None
    delivery_id: int | None = None  # when the gateway echoes our id (Aliyun's OutId)
    address: str | None = None
    code: str | None = None
    reason: str = ""
    at: datetime | None = None
    # The gateway that reported: it moves only deliveries handed over to that gateway.
    gateway: str | None = None


class GatewayUnavailable(Exception):
    """The whole call failed at the transport level: refused, timed out, or a 5xx."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class Gateway(Protocol):
    name: str
    # How many messages one call may carry (Twilio: 1, Aliyun SendSms: 1,000).
    max_batch: int

    def send(self, messages: list[Message]) -> list[Result]: ...
