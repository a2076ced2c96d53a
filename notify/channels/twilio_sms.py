"""SMS to international numbers through Twilio's Messaging API, with the official `twilio` SDK.

Configuration is plain parameters (no Flask): account SID, auth token, sender number, and for the
demo and the tests a `base_url` that points the SDK at the local stand-in instead of
https://api.twilio.com.

How a batch ends (one API call per message, a few in parallel):
- accepted (201) → Result "accepted", provider_id = the message SID (SM…).
- HTTP 429 / code 20429 (too many requests) and any 5xx → "transient", code kept: retry later.
- any other 4xx with a code (21211 invalid number, 21408 region not enabled, 21610 unsubscribed,
  21612 unreachable, 21614 not a mobile, 20003 wrong credentials, …) → "permanent", code kept.
- transport failure (connection refused, timeout): the gateway cannot be reached. If no message
  of the batch got an answer from Twilio, send() raises GatewayUnavailable (the dispatcher counts
  it toward the circuit breaker and retries the whole batch, possibly elsewhere). If some did, the
  answers obtained are kept and returned, and the unreached messages come back "transient" with
  code "unreachable" (the call failed) or "not-attempted" (skipped once the gateway failed):
  results Twilio already gave are never thrown away. A timed-out call may still have been taken
  by Twilio; retrying it can duplicate that one message, which at-least-once accepts.

Status callbacks: Twilio POSTs form fields to the StatusCallback URL with X-Twilio-Signature =
base64(HMAC-SHA1(auth token, full URL + each POST field name and value in name order)). The
callback URL this gateway gives Twilio is `status_callback_url` plus `d=<delivery id>` in the
query, so a callback can be matched even before the SID is stored; verify the signature against
that full URL as the receiver saw it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from notify.channels.base import GatewayUnavailable, Message, ReportedStatus, Result, StatusReport

THROTTLED = {"20429"}
# MessageStatus values Twilio posts, and the status the platform records for each. Twilio's
# "queued" / "accepted" / "scheduled" mean "Twilio has it, not yet handed to a carrier": the
# earliest of our statuses, "sending", so that a late one never moves a delivery backwards.
CALLBACK_STATUSES: dict[str, ReportedStatus] = {
    "queued": "sending",
    "accepted": "sending",
    "scheduled": "sending",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
DELIVERY_ERRORS = {
    "30003": "unreachable destination handset",
    "30004": "message blocked",
    "30005": "unknown destination handset",
    "30006": "landline or unreachable carrier",
    "30007": "message filtered by the carrier",
    "30008": "unknown error",
}
DELIVERY_ID_PARAM = "d"  # short: it rides on every callback URL


class _Unreachable(Exception):
    """A transport failure on one call (refused, reset, timed out)."""


class TwilioGateway:
    name = "twilio"
    # Messages per send(): each is its own API call, `workers` of them in parallel.
    max_batch = 10

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        base_url: str | None = None,
        status_callback_url: str | None = None,
        timeout: float = 10.0,
        messaging_service_sid: str | None = None,
        workers: int = 4,
    ):
        if not from_number and not messaging_service_sid:
            raise ValueError("a Twilio sender needs from_number or messaging_service_sid")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.base_url = base_url
        self.status_callback_url = status_callback_url
        self.timeout = timeout
        self.workers = max(1, workers)
        self._local = threading.local()  # one SDK client (one HTTP session) per thread
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="twilio-send")

    def _client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            # No retries inside the SDK: the dispatcher owns retries and backoff.
            http = TwilioHttpClient(timeout=self.timeout, max_retries=0)
            client = Client(self.account_sid, self.auth_token, http_client=http)
            if self.base_url:
                client.api.base_url = self.base_url.rstrip("/")
            self._local.client = client
        return client

    def callback_url_for(self, delivery_id: int) -> str | None:
        if not self.status_callback_url:
            return None
        parts = urlsplit(self.status_callback_url)
        query = parse_qsl(parts.query, keep_blank_values=True) + [(DELIVERY_ID_PARAM, str(delivery_id))]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def send(self, messages: list[Message]) -> list[Result]:
        if not messages:
            return []
        gave_up = threading.Event()  # set at the first transport failure: stop calling

        def send_one(message: Message) -> Result | None:
            if gave_up.is_set():
                return None
            try:
                return self._create(message)
            except _Unreachable as exc:
                gave_up.set()
                return Result(message.delivery_id, "transient", code="unreachable", reason=str(exc))

        results = list(self._pool.map(send_one, messages))
        answered = [r for r in results if r is not None and r.code != "unreachable"]
        if not answered:
            reason = next((r.reason for r in results if r is not None), "Twilio unreachable")
            raise GatewayUnavailable(f"Twilio unreachable: {reason}", code="unreachable")
        return [
            r
            if r is not None
            else Result(
                m.delivery_id,
                "transient",
                code="not-attempted",
                reason="not sent: Twilio became unreachable during the batch",
            )
            for m, r in zip(messages, results, strict=True)
        ]

    def _create(self, message: Message) -> Result:
        params: dict[str, str | None] = {"to": message.address, "body": message.body}
        if self.from_number:
            params["from_"] = self.from_number
        else:
            params["messaging_service_sid"] = self.messaging_service_sid
        callback = self.callback_url_for(message.delivery_id)
        if callback:
            params["status_callback"] = callback
        try:
            created = self._client().messages.create(**params)
        except TwilioRestException as exc:
            return _result_of_error(message.delivery_id, exc)
        except requests.RequestException as exc:
            raise _Unreachable(f"{type(exc).__name__}: {exc}") from exc
        except TwilioException as exc:  # e.g. a body that is not JSON: the service misbehaves
            return Result(message.delivery_id, "transient", code=None, reason=str(exc))
        return Result(message.delivery_id, "accepted", provider_id=created.sid)

    def close(self) -> None:
        self._pool.shutdown(wait=False)


def _result_of_error(delivery_id: int, exc: TwilioRestException) -> Result:
    code = str(exc.code) if exc.code is not None else str(exc.status)
    reason = f"HTTP {exc.status}: {exc.msg}"
    if exc.status == 429 or code in THROTTLED or exc.status >= 500:
        return Result(delivery_id, "transient", code=code, reason=reason)
    if exc.status in (401, 403) or code == "20003":
        reason = f"configuration error (Twilio credentials or account): {reason}"
    return Result(delivery_id, "permanent", code=code, reason=reason)


def status_callback_is_authentic(
    url: str, params: Mapping[str, str], signature: str | None, auth_token: str
) -> bool:
    """True when `signature` (the X-Twilio-Signature header) is Twilio's signature of this
    callback: `url` is the full URL the request arrived at, query included; `params` the POST
    form fields. An empty auth token authenticates nothing (anyone can sign with it)."""
    if not signature or not auth_token:
        return False
    return RequestValidator(auth_token).validate(url, dict(params), signature)


def parse_status_callback(params: Mapping[str, str], query: Mapping[str, str] | None = None) -> StatusReport:
    """The StatusReport a status callback carries. `params` are the POST form fields; `query`,
    optional, the callback URL's query (it holds our delivery_id). Raises ValueError on
    malformed input."""
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    raw_status = (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()
    if not sid.startswith(("SM", "MM")) or len(sid) != 34:
        raise ValueError(f"malformed MessageSid: {sid!r}")
    if raw_status not in CALLBACK_STATUSES:
        raise ValueError(f"unknown MessageStatus: {raw_status!r}")
    status = CALLBACK_STATUSES[raw_status]
    delivery_id = None
    raw_id = (query or {}).get(DELIVERY_ID_PARAM)
    if raw_id is not None:
        if not str(raw_id).isdigit():
            raise ValueError(f"malformed {DELIVERY_ID_PARAM}: {raw_id!r}")
        delivery_id = int(raw_id)
    code = (params.get("ErrorCode") or "").strip() or None
    if code is not None and not code.isdigit():
        raise ValueError(f"malformed ErrorCode: {code!r}")
    if code in DELIVERY_ERRORS and status in ("sent", "sending", "delivered"):
        # An error code on a non-final status would contradict itself; trust the code.
        status = "undelivered"
    reason = DELIVERY_ERRORS.get(code, f"Twilio error {code}") if code else ""
    return StatusReport(
        status=status,
        provider_id=sid,
        delivery_id=delivery_id,
        address=params.get("To") or None,
        code=code,
        reason=reason,
        gateway=TwilioGateway.name,
    )
