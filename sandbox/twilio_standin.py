"""A stand-in of Twilio's Programmable Messaging API that the real `twilio` SDK talks to.

It serves `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (HTTP Basic auth with the account
SID and auth token) and `GET .../Messages/{Sid}.json`, answers with Twilio's JSON shapes and error
codes, and afterwards posts status callbacks (queued → sent → delivered, or undelivered / failed
with ErrorCode 30003–30008) to the message's StatusCallback, signed with X-Twilio-Signature as
Twilio signs them. Faults: see sandbox/faults.py.

Point the SDK at it with `client.api.base_url = standin_url` (see notify/channels/twilio_sms.py).
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask, jsonify, request
from twilio.request_validator import RequestValidator

from sandbox.faults import FaultSwitches, MessageLog, ReceivedMessage, ReportLog, control_blueprint
from sandbox.poster import DelayedPoster
from sandbox.segments import segment_count
from sandbox.server import BackgroundServer

API_VERSION = "2010-04-01"
# The same defaults as the platform's configuration (notify/config.py), so that the demo works
# with no environment at all.
DEFAULT_ACCOUNT_SID = "AC" + "0" * 32  # 34 characters like a real SID
DEFAULT_AUTH_TOKEN = "sandbox-twilio-token"
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
MAX_BODY = 1600

# Create-time errors: HTTP 400 with these codes and messages, as Twilio answers them.
CREATE_ERRORS = {
    "21211": "The 'To' number {to} is not a valid phone number.",
    "21408": (
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}."
    ),
    "21610": "Attempt to send to unsubscribed recipient",
    "21612": "The 'To' phone number: {to}, is not currently reachable using the 'From' phone number via SMS.",
    "21614": "'To' number {to} is not a valid mobile number",
}
# Callback-time errors (ErrorCode on an undelivered / failed status callback).
DELIVERY_ERRORS = {
    "30003": "Unreachable destination handset",
    "30004": "Message blocked",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Message filtered",
    "30008": "Unknown error",
}


def _rfc2822(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC))  # "Mon, 23 Nov 2026 04:05:19 +0000"


def twilio_error(status: int, code: int | str, message: str, **extra: Any):
    body = {
        "code": int(code),
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
        **extra,
    }
    return jsonify(body), status


def _invalid_message(
    to: str, sender: str | None, service_sid: str | None, body: str, callback: str | None
) -> tuple[str, str] | None:
    """(Code, message) of Twilio's 400 for a message it cannot create, or None."""
    if not to:
        return "21604", "A 'To' phone number is required."
    if not sender and not service_sid:
        return "21603", "A 'From' phone number is required."
    if not body:
        return "21602", "Message body is required."
    if len(body) > MAX_BODY:
        return "21617", "The concatenated message body exceeds the 1600 character limit."
    if not E164.match(to):
        return "21211", CREATE_ERRORS["21211"].format(to=to)
    if callback and urlsplit(callback).scheme not in ("http", "https"):
        return "21609", f"The StatusCallback URL {callback} is not a valid URL."
    return None


class TwilioStandin:
    service = "twilio"

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        poster_workers: int = 4,
        **switches: Any,
    ):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.faults = FaultSwitches(**switches)
        self.messages = MessageLog(self.faults)
        self.reports = ReportLog()
        self.poster = DelayedPoster(workers=poster_workers, name="twilio-callbacks")
        self._validator = RequestValidator(auth_token)
        self._resources: dict[str, dict[str, Any]] = {}  # sid -> Message resource, for GET
        self.app = self._build_app()
        self.server: BackgroundServer | None = None

    # --- running --------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> TwilioStandin:
        self.server = BackgroundServer(self.app, host, port).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None, "start() the stand-in first"
        return self.server.url

    def stop(self) -> None:
        self.faults.stopping.set()
        self.poster.stop()
        if self.server is not None:
            self.server.stop()

    def reset(self) -> None:
        """Back to the start-up switches, logs emptied, pending callbacks dropped."""
        self.poster.clear()
        self.faults.reset()
        self.messages.clear()
        self.reports.clear()
        self._resources.clear()

    # --- the API --------------------------------------------------------------------------
    def _build_app(self) -> Flask:
        app = Flask("twilio_standin")
        app.register_blueprint(control_blueprint(self))
        base = f"/{API_VERSION}/Accounts/<account_sid>"
        app.add_url_rule(f"{base}/Messages.json", "create_message", self._create_message, methods=["POST"])
        app.add_url_rule(f"{base}/Messages/<sid>.json", "fetch_message", self._fetch_message, methods=["GET"])
        return app

    def _authenticate(self, account_sid: str):
        auth = request.authorization
        if auth is None or auth.username != self.account_sid or auth.password != self.auth_token:
            response, status = twilio_error(
                401, 20003, "Authenticate", detail="Your AccountSid or AuthToken was incorrect."
            )
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response, status
        if account_sid != self.account_sid:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        return None

    def _fetch_message(self, account_sid: str, sid: str):
        refused = self._authenticate(account_sid)
        if refused:
            return refused
        resource = self._resources.get(sid)
        if resource is None:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        return jsonify(resource)

    def _create_message(self, account_sid: str):
        timed_out, failure = self._server_fault()
        if failure is not None:
            return failure
        refused = self._authenticate(account_sid)
        if refused:
            return refused

        form = request.form
        to = form.get("To", "").strip()
        sender = form.get("From") or None
        service_sid = form.get("MessagingServiceSid") or None
        body = form.get("Body", "")
        callback = form.get("StatusCallback") or None

        def refuse(status: int, code: str, message: str):
            if to:
                self.messages.add(
                    ReceivedMessage(
                        self.service,
                        None,
                        to,
                        body,
                        sender or service_sid,
                        None,
                        callback,
                        time.time(),
                        accepted=False,
                        code=code,
                    )
                )
            return twilio_error(status, code, message)

        invalid = _invalid_message(to, sender, service_sid, body, callback)
        if invalid is not None:
            return refuse(400, *invalid)
        if not timed_out and not self.faults.admit(1):
            return refuse(429, "20429", "Too Many Requests")
        number_fault = self._number_fault(to)
        if number_fault is not None:
            return refuse(*number_fault)

        return self._accept(to, sender, service_sid, body, callback)

    def _server_fault(self):
        """(Whether the call was held like a timeout, the failure to answer instead or None)."""
        faults = self.faults
        faults.apply_latency()
        timed_out = faults.draw(faults.current.timeout_share)
        if timed_out:
            faults.hold_for_timeout()
            if not faults.current.timeout_accepts:
                return True, twilio_error(504, 20504, "Gateway Timeout")
        elif faults.draw(faults.current.error_5xx_share):
            return False, twilio_error(500, 20500, "Internal Server Error")
        return timed_out, None

    def _number_fault(self, to: str) -> tuple[int, str, str] | None:
        """(HTTP status, code, message) of a fault set for this number, or None."""
        faults = self.faults
        rule = faults.number_error(to, "create")
        if rule and rule["code"] == "timeout":
            # This number's call is held like a timeout: lets a test time out one call of a batch.
            faults.hold_for_timeout()
            if not faults.current.timeout_accepts:
                return 504, "20504", "Gateway Timeout"
        elif rule:
            code = str(rule["code"])
            message = CREATE_ERRORS.get(code, "Message could not be created").format(to=to)
            return int(rule.get("http_status", 400)), code, message
        return None

    def _accept(self, to: str, sender: str | None, service_sid: str | None, body: str, callback: str | None):
        sid = "SM" + secrets.token_hex(16)
        now = datetime.now(UTC)
        segments = segment_count(body)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": _rfc2822(now),
            "date_sent": None,
            "date_updated": _rfc2822(now),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender,
            "messaging_service_sid": service_sid,
            "num_media": "0",
            "num_segments": str(segments),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            # With only a messaging service Twilio first answers "accepted" (it picks a sender).
            "status": "queued" if sender else "accepted",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": to,
            "uri": uri,
        }
        record = self.faults.current.record_messages
        if record:
            self._resources[sid] = resource
        out_id = urlsplit(callback).query or None if callback else None
        self.messages.add(
            ReceivedMessage(
                self.service,
                sid,
                to,
                body,
                sender or service_sid,
                out_id,
                callback,
                time.time(),
                accepted=True,
                segments=segments,
            )
        )
        if callback and self.faults.current.reports_enabled:
            self._schedule_callbacks(resource, callback)
        return jsonify(resource), 201

    # --- status callbacks -----------------------------------------------------------------
    def _schedule_callbacks(self, resource: dict[str, Any], callback: str) -> None:
        to = resource["to"]
        rule = self.faults.number_error(to, "report")
        if rule is None:
            steps = [("queued", None), ("sent", None), ("delivered", None)]
        elif rule.get("status") == "failed":
            steps = [("queued", None), ("failed", str(rule["code"]))]
        else:
            steps = [("queued", None), ("sent", None), ("undelivered", str(rule["code"]))]
        if self.faults.current.reports_out_of_order:
            steps.reverse()
        gap = self.faults.current.report_delay_ms / 1000
        for i, (status, error_code) in enumerate(steps):
            params = {
                "AccountSid": self.account_sid,
                "ApiVersion": API_VERSION,
                "MessageSid": resource["sid"],
                "MessageStatus": status,
                "SmsSid": resource["sid"],
                "SmsStatus": status,
                "To": to,
            }
            if resource["from"]:
                params["From"] = resource["from"]
            if resource["messaging_service_sid"]:
                params["MessagingServiceSid"] = resource["messaging_service_sid"]
            if error_code:
                params["ErrorCode"] = error_code
            if status == "delivered":
                params["RawDlrDoneDate"] = datetime.now(UTC).strftime("%y%m%d%H%M")
            self.poster.schedule(gap * (i + 1), self._callback_job(callback, params))

    def _callback_job(self, url: str, params: dict[str, str]):
        def post(session: requests.Session) -> None:
            sid, status = params["MessageSid"], params["MessageStatus"]
            resource = self._resources.get(sid)
            if resource is not None and status != "queued":
                resource["status"] = status
                resource["date_updated"] = _rfc2822(datetime.now(UTC))
                if "ErrorCode" in params:
                    resource["error_code"] = int(params["ErrorCode"])
                    resource["error_message"] = DELIVERY_ERRORS.get(params["ErrorCode"])
            signature = self._validator.compute_signature(url, params)
            try:
                answer = session.post(
                    url,
                    data=params,
                    timeout=self.faults.current.report_timeout_s,
                    headers={"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"},
                )
                self.reports.add(
                    service=self.service,
                    url=url,
                    provider_id=sid,
                    status=status,
                    http_status=answer.status_code,
                    error=None,
                )
            except requests.RequestException as exc:
                # Twilio does not retry a callback whose receiver is down; neither do we.
                self.reports.add(
                    service=self.service,
                    url=url,
                    provider_id=sid,
                    status=status,
                    http_status=None,
                    error=type(exc).__name__,
                )

        return post
