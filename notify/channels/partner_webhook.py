"""Partner webhooks: each published revision POSTed to a partner's URL, signed.

Headers of every POST:

    X-Notify-Timestamp: 1795400000                 (Unix seconds when this attempt was signed)
    X-Notify-Signature: sha256=<hex>               (HMAC-SHA256(secret, "<timestamp>.<body>"))
    X-Notify-Delivery:  <delivery id>              (the same on every retry: partners de-duplicate)

A partner verifies by recomputing the HMAC over the timestamp, a dot and the raw body bytes,
comparing in constant time and refusing a timestamp older than a few minutes (README has the
snippet). The body is the JSON document (application/json; with the CAP XML in `cap_xml` when
the webhook takes both formats) or, for a CAP-only webhook, the CAP 1.2 XML
(application/cap+xml). Outcome: 2xx delivered; connection errors, timeouts, 5xx and 429 tried again with
backoff (429 and 503 honour Retry-After); any other 4xx is final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from notify import clock as platform_clock
from notify.channels import outbound
from notify.channels.base import Message, Result

TIMESTAMP_HEADER = "X-Notify-Timestamp"
SIGNATURE_HEADER = "X-Notify-Signature"
DELIVERY_HEADER = "X-Notify-Delivery"
USER_AGENT = "county-warning-platform/1 (+partner webhook)"
MAX_RETRY_AFTER = 3600.0


JSON_TYPE = "application/json; charset=utf-8"
CAP_TYPE = "application/cap+xml; charset=utf-8"


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret: str
    formats: tuple[str, ...] = ("json",)


def body_for(target: WebhookTarget, document: str) -> tuple[bytes, str] | None:
    """What this webhook gets of the document: JSON (with or without `cap_xml`) or the CAP XML
    alone. None when it wants CAP only and there is none."""
    try:
        doc = json.loads(document)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):  # a one-off message with a body of its own
        return document.encode(), JSON_TYPE
    if "cap" in target.formats and "json" not in target.formats:
        cap = doc.get("cap_xml")
        return (cap.encode(), CAP_TYPE) if isinstance(cap, str) else None
    if "cap" not in target.formats:
        doc.pop("cap_xml", None)
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode(), JSON_TYPE


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return min(max(when - now, 0.0), MAX_RETRY_AFTER)


class PartnerWebhookGateway:
    name = "webhook"
    text_key = "webhook"
    confirms_delivery = True
    max_batch = 50

    def __init__(
        self,
        resolve: Callable[[list[str]], dict[str, WebhookTarget]],
        *,
        timeout: float = 10.0,
        workers: int = 8,
        client: httpx.Client | None = None,
        clock: Callable[[], float] | None = None,
        allowed_hosts: Collection[str] = (),
    ):
        self.resolve = resolve
        # Hosts that may be private or loopback all the same (notify.channels.outbound).
        self.allowed_hosts = frozenset(allowed_hosts)
        self.timeout = timeout
        self.workers = max(1, workers)
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        # Signatures carry the time: the platform's clock, read at each send (not bound at import).
        self._clock = clock or (lambda: platform_clock.now().timestamp())

    def send(self, messages: list[Message]) -> list[Result]:
        targets = self.resolve([m.address for m in messages])
        if len(messages) == 1:
            return [self._send_one(messages[0], targets.get(messages[0].address))]
        with ThreadPoolExecutor(
            max_workers=min(self.workers, len(messages)), thread_name_prefix="webhook-send"
        ) as pool:
            return list(pool.map(lambda m: self._send_one(m, targets.get(m.address)), messages))

    def _send_one(self, message: Message, target: WebhookTarget | None) -> Result:
        rid = message.delivery_id
        if target is None:
            return Result(
                rid,
                "permanent",
                code="webhook_unknown",
                reason=f"{message.address} is not an active partner webhook",
            )
        shaped = body_for(target, message.body)
        if shaped is None:
            return Result(
                rid,
                "transient",
                code="cap_unavailable",
                reason="this webhook takes CAP only and no CAP document could be made",
            )
        if outbound.problem(target.url, self.allowed_hosts):
            return Result(
                rid,
                "permanent",
                code="forbidden_address",
                reason="the webhook's host is not a public http(s) address",
            )
        body, content_type = shaped
        timestamp = int(self._clock())
        headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(target.secret, timestamp, body),
            DELIVERY_HEADER: str(rid),
        }
        try:
            response = self._client.post(target.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            return Result(rid, "transient", code="timeout", reason=f"webhook: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return Result(rid, "transient", code="connection", reason=f"webhook: {exc!r}"[:300])
        status = response.status_code
        if 200 <= status < 300:
            return Result(rid, "accepted")
        reason = f"partner answered HTTP {status}: {response.text[:200]}"
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("Retry-After"), self._clock())
            return Result(rid, "transient", code=f"http_{status}", reason=reason, retry_after=wait)
        return Result(rid, "permanent", code=f"http_{status}", reason=reason)
