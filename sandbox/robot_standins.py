"""Stand-ins of the WeCom, DingTalk and Feishu group-robot webhooks, on one port, at their real paths.

    WeCom     POST /cgi-bin/webhook/send?key=<key>
    DingTalk  POST /robot/send?access_token=<token>[&timestamp=<ms>&sign=<urlencoded base64>]
    Feishu    POST /open-apis/bot/v2/hook/<token>     (timestamp and sign in the JSON body)

Like the real services they answer HTTP 200 with the error in the body (`errcode`, Feishu
`code`), check the key or token, recompute the signature with the robot's secret, refuse a
timestamp more than an hour away, check the size, and count accepted messages per robot in a
moving window: WeCom 20 a minute (45009), DingTalk 20 a minute and then a 10-minute block
(130101, then 410100 until it ends), Feishu 5 a second and 100 a minute (11232).

Every call is recorded (accepted or not, with its code), so a test or the demo can see the
groups' messages and check that no robot was sent more than its limit. Robots are registered
from Python (`add_robot`) or over HTTP (`POST /_sandbox/robots`); `python -m sandbox` registers
the demo's 40 robots of each kind (see DEMO_ROBOTS). Fault switches: latency, 5xx, timeouts,
a forced error code per robot; from Python (`standin.faults.update(...)`) or
`POST /_sandbox/faults`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import quote_plus

from flask import Blueprint, Flask, jsonify, request

from sandbox.faults import merged_switches, switches_view
from sandbox.server import BackgroundServer

KINDS = ("wecom", "dingtalk", "feishu")
TIMESTAMP_SKEW_S = 3600
WECOM_MARKDOWN_MAX = 4096
WECOM_TEXT_MAX = 2048
DINGTALK_MAX = 20000
FEISHU_MAX = 20 * 1024
# (messages, seconds) per robot, as the platforms document them.
WINDOWS = {"wecom": ((20, 60.0),), "dingtalk": ((20, 60.0),), "feishu": ((5, 1.0), (100, 60.0))}
THROTTLE_CODES = {"wecom": (45009,), "dingtalk": (130101, 410100), "feishu": (11232,)}


def demo_token(kind: str, n: int) -> str:
    return f"sandbox-{kind}-{n:02d}"


def demo_secret(kind: str, n: int) -> str:
    return "" if kind == "wecom" else f"SECsandbox{kind}{n:02d}"


# The robots `python -m sandbox` knows; the demo seed registers the same ones in the platform.
DEMO_ROBOTS = [(kind, demo_token(kind, n), demo_secret(kind, n)) for kind in KINDS for n in range(1, 41)]


@dataclass
class RobotSwitches:
    latency_ms: int = 0
    error_5xx_share: float = 0.0  # answered 502 with an HTML page, as a load balancer would
    timeout_share: float = 0.0  # held for timeout_hold_ms, then 504
    timeout_hold_ms: int = 10_000
    dingtalk_block_s: float = 600.0  # how long DingTalk blocks a robot that sent too fast
    # Per key/token: an error code every call to that robot is answered with.
    robot_errors: dict[str, int] = field(default_factory=dict)
    seed: int | None = None


@dataclass
class RobotCall:
    kind: str
    token: str
    received_at: float
    accepted: bool
    code: int
    message: str  # errmsg / msg answered
    payload: Any  # the JSON body as received (None if it was not JSON)
    text: str = ""  # the markdown or text the group would show

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RobotStandins:
    def __init__(self, robots: list[tuple[str, str, str]] | None = None, **switches: Any):
        self._lock = threading.Lock()
        self.robots: dict[tuple[str, str], str] = {}
        for kind, token, secret in robots or []:
            self.add_robot(kind, token, secret)
        self._defaults = self._validated(RobotSwitches(), switches)
        self._switches = replace(self._defaults, robot_errors=dict(self._defaults.robot_errors))
        self._random = random.Random(self._switches.seed)
        self.calls: list[RobotCall] = []
        self._windows: dict[tuple[str, str], list[deque[float]]] = {}
        self._blocked: dict[tuple[str, str], float] = {}
        self.stopping = threading.Event()
        self.app = self._build_app()
        self.server: BackgroundServer | None = None

    # --- running ---------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> RobotStandins:
        self.server = BackgroundServer(self.app, host, port).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None, "start() the stand-in first"
        return self.server.url

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.stop()

    def webhook_url(self, kind: str, token: str) -> str:
        """The URL the platform's console shows for a robot, pointing at this stand-in."""
        return {
            "wecom": f"{self.url}/cgi-bin/webhook/send?key={token}",
            "dingtalk": f"{self.url}/robot/send?access_token={token}",
            "feishu": f"{self.url}/open-apis/bot/v2/hook/{token}",
        }[kind]

    # --- registry and switches ---------------------------------------------------------------
    def add_robot(self, kind: str, token: str, secret: str = "") -> None:
        if kind not in KINDS or not token:
            raise ValueError("a robot needs a kind (wecom, dingtalk, feishu) and a token")
        with self._lock:
            self.robots[(kind, token)] = secret or ""

    @staticmethod
    def _validated(base: RobotSwitches, changes: dict[str, Any]) -> RobotSwitches:
        values = merged_switches(base, changes)
        if not isinstance(values["robot_errors"], dict) or not all(
            isinstance(v, int) for v in values["robot_errors"].values()
        ):
            raise ValueError("robot_errors must map a key or token to an integer error code")
        return RobotSwitches(**values)

    @property
    def switches(self) -> RobotSwitches:
        return self._switches

    def update(self, **changes: Any) -> RobotSwitches:
        with self._lock:
            self._switches = self._validated(self._switches, changes)
            if "seed" in changes:
                self._random = random.Random(self._switches.seed)
            return self._switches

    def reset(self) -> None:
        """Back to the start-up switches; calls, windows and blocks forgotten; robots kept."""
        with self._lock:
            self._switches = replace(self._defaults, robot_errors=dict(self._defaults.robot_errors))
            self._random = random.Random(self._switches.seed)
            self.calls.clear()
            self._windows.clear()
            self._blocked.clear()

    # --- what was received ---------------------------------------------------------------------
    def received(
        self, kind: str | None = None, token: str | None = None, accepted: bool | None = None
    ) -> list[RobotCall]:
        with self._lock:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if (kind is None or c.kind == kind)
            and (token is None or c.token == token)
            and (accepted is None or c.accepted == accepted)
        ]

    def max_in_window(self, kind: str, token: str, seconds: float) -> int:
        """The most accepted messages this robot got within any `seconds` (from its own records)."""
        times = sorted(c.received_at for c in self.received(kind, token, accepted=True))
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def throttled(self) -> list[RobotCall]:
        return [c for c in self.received() if c.code in THROTTLE_CODES[c.kind]]

    # --- the HTTP side -----------------------------------------------------------------------
    def _build_app(self) -> Flask:
        app = Flask("robot_standins")
        app.json.ensure_ascii = False
        app.register_blueprint(self._control())
        app.add_url_rule("/cgi-bin/webhook/send", "wecom", self._wecom, methods=["POST"])
        app.add_url_rule("/robot/send", "dingtalk", self._dingtalk, methods=["POST"])
        app.add_url_rule("/open-apis/bot/v2/hook/<token>", "feishu", self._feishu, methods=["POST"])
        return app

    def _faults(self):
        """Latency, 5xx and timeouts; returns a response to give instead, or None."""
        s = self._switches
        if s.latency_ms > 0:
            self.stopping.wait(s.latency_ms / 1000)
        with self._lock:
            timed_out = s.timeout_share > 0 and self._random.random() < s.timeout_share
            failed = not timed_out and s.error_5xx_share > 0 and self._random.random() < s.error_5xx_share
        if timed_out:
            self.stopping.wait(s.timeout_hold_ms / 1000)
            return (
                "<html><body><h1>504 Gateway Time-out</h1></body></html>",
                504,
                {"Content-Type": "text/html"},
            )
        if failed:
            return "<html><body><h1>502 Bad Gateway</h1></body></html>", 502, {"Content-Type": "text/html"}
        return None

    def _record(self, kind: str, token: str, code: int, message: str, payload: Any, text: str = ""):
        call = RobotCall(kind, token, time.time(), code == 0, code, message, payload, text)
        with self._lock:
            self.calls.append(call)
        return call

    def _admit(self, kind: str, token: str, now: float) -> int:
        """0, or the throttling code; counts the message when admitted. Caller holds no lock."""
        key = (kind, token)
        with self._lock:
            if kind == "dingtalk" and self._blocked.get(key, 0.0) > now:
                return 410100
            logs = self._windows.setdefault(key, [deque() for _ in WINDOWS[kind]])
            for (limit, window), log in zip(WINDOWS[kind], logs, strict=True):
                while log and now - log[0] >= window:
                    log.popleft()
                if len(log) >= limit:
                    if kind == "dingtalk":
                        # The block outlasts the minute (10 min against 1): it starts afresh after.
                        self._blocked[key] = now + self._switches.dingtalk_block_s
                        for other in logs:
                            other.clear()
                        return 130101
                    return THROTTLE_CODES[kind][0]
            for log in logs:
                log.append(now)
            return 0

    @staticmethod
    def _json_body() -> Any:
        try:
            return json.loads(request.get_data() or b"null")
        except ValueError:
            return None

    # WeCom -----------------------------------------------------------------------------------
    def _wecom(self):
        faulted = self._faults()
        if faulted:
            return faulted
        key = request.args.get("key", "")

        def answer(code: int, message: str, payload: Any = None, text: str = ""):
            self._record("wecom", key, code, message, payload, text)
            return jsonify(errcode=code, errmsg=message)

        payload = self._json_body()
        if ("wecom", key) not in self.robots:
            return answer(93000, "invalid webhook url, hint: [sandbox] key not found", payload)
        forced = self._switches.robot_errors.get(key)
        if forced:
            return answer(forced, "forced by the sandbox switch robot_errors", payload)
        if not isinstance(payload, dict) or payload.get("msgtype") not in ("text", "markdown"):
            return answer(40008, "invalid message type", payload)
        kind = payload["msgtype"]
        text = str((payload.get(kind) or {}).get("content") or "")
        if not text:
            return answer(44004, "empty content", payload)
        limit = WECOM_MARKDOWN_MAX if kind == "markdown" else WECOM_TEXT_MAX
        if len(text.encode()) > limit:
            return answer(40058, f"{kind}.content exceed max length {limit}", payload, text)
        code = self._admit("wecom", key, time.time())
        if code:
            return answer(code, "api freq out of limit", payload, text)
        return answer(0, "ok", payload, text)

    # DingTalk --------------------------------------------------------------------------------
    def _dingtalk(self):
        faulted = self._faults()
        if faulted:
            return faulted
        token = request.args.get("access_token", "")
        raw = request.get_data()

        def answer(code: int, message: str, payload: Any = None, text: str = ""):
            self._record("dingtalk", token, code, message, payload, text)
            return jsonify(errcode=code, errmsg=message)

        payload = self._json_body()
        secret = self.robots.get(("dingtalk", token))
        if secret is None:
            return answer(300001, "token is not exist", payload)
        if secret:
            refused = self._dingtalk_signature(secret)
            if refused:
                return answer(310000, refused, payload)
        forced = self._switches.robot_errors.get(token)
        if forced:
            return answer(forced, "forced by the sandbox switch robot_errors", payload)
        if len(raw) > DINGTALK_MAX:
            return answer(460101, f"message too long, exceed {DINGTALK_MAX} bytes", payload)
        if not isinstance(payload, dict) or payload.get("msgtype") not in ("text", "markdown"):
            return answer(40035, "缺少参数 msgtype", payload)
        body = payload.get(payload["msgtype"]) or {}
        text = str(body.get("text") if payload["msgtype"] == "markdown" else body.get("content") or "")
        if not text or (payload["msgtype"] == "markdown" and not body.get("title")):
            return answer(40035, "缺少参数 text/title", payload)
        code = self._admit("dingtalk", token, time.time())
        if code == 130101:
            return answer(code, "send too fast, exceed 20 times per minute", payload, text)
        if code:
            return answer(code, "发送速度太快而限流", payload, text)
        return answer(0, "ok", payload, text)

    @staticmethod
    def _dingtalk_signature(secret: str) -> str | None:
        timestamp, sign = request.args.get("timestamp", ""), request.args.get("sign")
        if not timestamp.isdigit() or sign is None:
            return "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"
        if abs(time.time() * 1000 - int(timestamp)) > TIMESTAMP_SKEW_S * 1000:
            return "invalid timestamp"
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        expected = base64.b64encode(digest).decode()
        # The query was URL-decoded once by the server: what is left must be the bare base64.
        if not hmac.compare_digest(sign, expected):
            return "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"
        return None

    # Feishu ----------------------------------------------------------------------------------
    def _feishu(self, token: str):
        faulted = self._faults()
        if faulted:
            return faulted
        raw = request.get_data()

        def answer(code: int, message: str, payload: Any = None, text: str = ""):
            self._record("feishu", token, code, message, payload, text)
            if code == 0:
                return jsonify(StatusCode=0, StatusMessage="success", code=0, data={}, msg="success")
            return jsonify(code=code, data={}, msg=message)

        payload = self._json_body()
        secret = self.robots.get(("feishu", token))
        if secret is None:
            return answer(19001, "param invalid: incoming webhook access token invalid", payload)
        if len(raw) > FEISHU_MAX:
            return answer(9499, "Bad Request: request body exceeds 20 KB", payload)
        if not isinstance(payload, dict):
            return answer(9499, "Bad Request", payload)
        if secret and not self._feishu_signature(secret, payload):
            return answer(
                19021, "sign match fail or timestamp is not within one hour from current time", payload
            )
        forced = self._switches.robot_errors.get(token)
        if forced:
            return answer(forced, "forced by the sandbox switch robot_errors", payload)
        text = _feishu_text(payload)
        if text is None:
            return answer(9499, "Bad Request: msg_type and its content are required", payload)
        code = self._admit("feishu", token, time.time())
        if code:
            return answer(
                code, "frequency limited psm[lark.oapi.app_platform_runtime]appID[sandbox]", payload, text
            )
        return answer(0, "success", payload, text)

    @staticmethod
    def _feishu_signature(secret: str, payload: dict[str, Any]) -> bool:
        timestamp, sign = str(payload.get("timestamp", "")), payload.get("sign")
        if not timestamp.isdigit() or not isinstance(sign, str):
            return False
        if abs(time.time() - int(timestamp)) > TIMESTAMP_SKEW_S:
            return False
        key = f"{timestamp}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return hmac.compare_digest(sign, expected)

    # /_sandbox --------------------------------------------------------------------------------
    def _control(self) -> Blueprint:
        bp = Blueprint("robot_sandbox", __name__, url_prefix="/_sandbox")

        @bp.get("/faults")
        def get_faults():
            return jsonify(asdict(self._switches))

        bp.add_url_rule(
            "/faults",
            "set_faults",
            switches_view(self.update, lambda: asdict(self._switches)),
            methods=["POST"],
        )

        @bp.get("/robots")
        def get_robots():
            return jsonify(
                robots=[{"kind": k, "token": t, "signed": bool(s)} for (k, t), s in self.robots.items()]
            )

        @bp.post("/robots")
        def add_robot():
            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                return jsonify(error="send {kind, token, secret}"), 400
            try:
                self.add_robot(
                    str(data.get("kind", "")), str(data.get("token", "")), str(data.get("secret") or "")
                )
            except ValueError as exc:
                return jsonify(error=str(exc)), 400
            return jsonify(ok=True), 201

        @bp.get("/messages")
        def get_messages():
            accepted = {"true": True, "false": False}.get(request.args.get("accepted", ""))
            calls = self.received(
                request.args.get("kind") or None, request.args.get("token") or None, accepted
            )
            return jsonify(
                accepted_total=sum(c.accepted for c in calls),
                refused_total=sum(not c.accepted for c in calls),
                throttled_total=sum(c.code in THROTTLE_CODES[c.kind] for c in calls),
                messages=[c.as_dict() for c in calls],
            )

        @bp.post("/reset")
        def reset():
            self.reset()
            return jsonify(ok=True)

        return bp


def _feishu_text(payload: dict[str, Any]) -> str | None:
    msg_type = payload.get("msg_type")
    if msg_type == "text":
        return str((payload.get("content") or {}).get("text") or "") or None
    if msg_type == "interactive":
        card = payload.get("card") or {}
        header = ((card.get("header") or {}).get("title") or {}).get("content", "")
        parts = [e.get("content", "") for e in card.get("elements") or [] if isinstance(e, dict)]
        text = "\n".join([header, *parts]).strip()
        return text or None
    if msg_type == "post":
        return json.dumps(payload.get("content"), ensure_ascii=False)
    return None


def dingtalk_sign_for_url(secret: str, timestamp_ms: int) -> str:
    """What a correct client puts in the URL (used by tests that post to the stand-in directly)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())
