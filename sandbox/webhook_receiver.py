"""A partner's webhook endpoint, as a media house would write it from the platform's README.

    POST /partner/<name>      verifies X-Notify-Timestamp and X-Notify-Signature with that
                              partner's secret, then records the document

Refusals, as a careful partner answers them: 401 for a missing or wrong signature, or a
timestamp more than five minutes away; 400 for a body that is not the JSON (or CAP XML) it
claims to be; 404 for an unknown partner. Fault switches (from Python or POST /_sandbox/faults):
`answers`, a list of [status, retry_after or null] given in turn before the normal answer
(e.g. [[503, null], [429, "2"]]), `latency_ms` and `error_5xx_share`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Blueprint, Flask, jsonify, request

from sandbox.faults import merged_switches, switches_view
from sandbox.server import BackgroundServer

TOLERANCE_S = 300
# The demo partner `python -m sandbox` knows; the demo seed registers the same one.
DEMO_PARTNERS = {"yangquan-daily": "sandbox-partner-secret-yangquan-daily"}


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
    tolerance: int = TOLERANCE_S,
) -> str | None:
    """None when the request is authentic; otherwise why not (the README's recipe)."""
    if not timestamp or not signature:
        return "missing X-Notify-Timestamp or X-Notify-Signature"
    if not timestamp.isdigit():
        return "X-Notify-Timestamp is not a Unix time"
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return "timestamp outside the tolerance (replayed or clock skew)"
    expected = (
        "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(expected, signature):
        return "signature does not match"
    return None


@dataclass
class Received:
    partner: str
    at: float
    status: int
    error: str | None
    headers: dict[str, str]
    body: bytes
    document: Any = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["body"] = self.body.decode("utf-8", "replace")
        return out


@dataclass
class ReceiverSwitches:
    answers: list[list[Any]] = field(default_factory=list)
    latency_ms: int = 0
    error_5xx_share: float = 0.0


class WebhookReceiver:
    def __init__(self, partners: dict[str, str] | None = None, seed: int | None = None):
        self.partners = dict(partners or {})
        self.switches = ReceiverSwitches()
        self.posts: list[Received] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.app = self._build_app()
        self.server: BackgroundServer | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> WebhookReceiver:
        self.server = BackgroundServer(self.app, host, port).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def endpoint(self, name: str) -> str:
        return f"{self.url}/partner/{name}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def update(self, **changes: Any) -> None:
        values = merged_switches(self.switches, changes)
        answers = values["answers"]
        if not isinstance(answers, list) or not all(
            isinstance(a, list) and len(a) == 2 and isinstance(a[0], int) for a in answers
        ):
            raise ValueError("answers must be a list of [status, retry_after or null]")
        with self._lock:
            self.switches = ReceiverSwitches(**values)

    def reset(self) -> None:
        with self._lock:
            self.switches = ReceiverSwitches()
            self.posts.clear()

    def accepted(self, partner: str | None = None) -> list[Received]:
        with self._lock:
            return [p for p in self.posts if p.status == 200 and (partner is None or p.partner == partner)]

    def _build_app(self) -> Flask:
        app = Flask("webhook_receiver")
        app.add_url_rule("/partner/<name>", "receive", self._receive, methods=["POST"])
        bp = Blueprint("receiver_sandbox", __name__, url_prefix="/_sandbox")

        bp.add_url_rule(
            "/faults", "faults", switches_view(self.update, lambda: asdict(self.switches)), methods=["POST"]
        )

        @bp.get("/messages")
        def messages():
            with self._lock:
                return jsonify(posts=[p.as_dict() for p in self.posts])

        @bp.post("/reset")
        def reset():
            self.reset()
            return jsonify(ok=True)

        app.register_blueprint(bp)
        return app

    def _receive(self, name: str):
        body = request.get_data()
        headers = {
            k: v for k, v in request.headers.items() if k.lower().startswith(("x-notify", "content-type"))
        }

        def answer(status: int, error: str | None = None, document: Any = None, extra: dict | None = None):
            with self._lock:
                self.posts.append(Received(name, time.time(), status, error, headers, body, document))
            response = jsonify(ok=status == 200, error=error)
            response.status_code = status
            for key, value in (extra or {}).items():
                response.headers[key] = value
            return response

        with self._lock:
            forced = self.switches.answers.pop(0) if self.switches.answers else None
            failed = (
                self.switches.error_5xx_share > 0 and self._random.random() < self.switches.error_5xx_share
            )
        if self.switches.latency_ms:
            time.sleep(self.switches.latency_ms / 1000)
        if forced:
            status, retry_after = forced
            return answer(
                status,
                "forced by the sandbox switch answers",
                extra={"Retry-After": str(retry_after)} if retry_after is not None else None,
            )
        if failed:
            return answer(503, "forced by error_5xx_share")
        secret = self.partners.get(name)
        if secret is None:
            return answer(404, "unknown partner")
        refused = verify(
            secret, request.headers.get("X-Notify-Timestamp"), request.headers.get("X-Notify-Signature"), body
        )
        if refused:
            return answer(401, refused)
        content_type = request.headers.get("Content-Type", "")
        if "json" in content_type:
            try:
                document = json.loads(body)
            except ValueError:
                return answer(400, "body is not JSON")
            if not isinstance(document, dict) or "id" not in document:
                return answer(400, "JSON document without an id")
        elif "xml" in content_type:
            if not body.lstrip().startswith(b"<"):
                return answer(400, "body is not XML")
            document = body.decode("utf-8", "replace")
        else:
            return answer(400, f"unexpected Content-Type {content_type!r}")
        return answer(200, None, document)
