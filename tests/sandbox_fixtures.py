"""Fixtures that run the SMS stand-ins (and a callback receiver) on free loopback ports.

Registered in tests/conftest.py (`pytest_plugins`): request them by name, never import them.

- `twilio_standin_server`, `aliyun_standin_server` (session): started once, short delays
  (callbacks after 20 ms, receipt re-pushes after 0.1/0.2/0.3 s).
- `twilio_standin`, `aliyun_standin` (function): the same servers, reset to those start-up
  switches before and after the test (faults off, logs empty, pending callbacks dropped).
- `report_sink` (function): a receiver that records every callback / receipt POST and answers
  what the test asks (default 200 {"code":0}).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import pytest
from werkzeug.wrappers import Request, Response

from sandbox.aliyun_standin import AliyunStandin
from sandbox.server import BackgroundServer
from sandbox.twilio_standin import TwilioStandin

FAST_SWITCHES = {
    "report_delay_ms": 20,
    "repush_delays_s": [0.1, 0.2, 0.3],
    "report_timeout_s": 2.0,
    "timeout_hold_ms": 3000,
}


@dataclass
class ReceivedPost:
    path: str
    url: str
    args: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self):
        return json.loads(self.body)


class ReportSink:
    """Records POSTs; `answers` is a list of (status, body) used in turn, the last one repeated."""

    def __init__(self) -> None:
        self.posts: list[ReceivedPost] = []
        self.answers: list[tuple[int, object]] = [(200, {"code": 0, "msg": "接收成功"})]
        self.delay_s = 0.0
        self._lock = threading.Lock()
        self.server = BackgroundServer(self._app).start()

    @property
    def url(self) -> str:
        return self.server.url

    def _app(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        with self._lock:
            self.posts.append(
                ReceivedPost(
                    request.path,
                    request.url,
                    dict(request.args),
                    dict(request.form),
                    dict(request.headers),
                    body,
                )
            )
            status, answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        if self.delay_s:
            time.sleep(self.delay_s)
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return Response(text, status=status, content_type="application/json")(environ, start_response)

    def reset(self) -> None:
        with self._lock:
            self.posts.clear()
            self.answers = [(200, {"code": 0, "msg": "接收成功"})]
            self.delay_s = 0.0

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedPost]:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.posts)


@pytest.fixture(scope="session")
def twilio_standin_server():
    standin = TwilioStandin(**FAST_SWITCHES).start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def aliyun_standin_server():
    standin = AliyunStandin(**FAST_SWITCHES).start()
    yield standin
    standin.stop()


@pytest.fixture
def twilio_standin(twilio_standin_server):
    twilio_standin_server.reset()
    yield twilio_standin_server
    twilio_standin_server.reset()


@pytest.fixture
def aliyun_standin(aliyun_standin_server):
    aliyun_standin_server.reset()
    yield aliyun_standin_server
    aliyun_standin_server.reset()


@pytest.fixture(scope="session")
def _report_sink_server():
    sink = ReportSink()
    yield sink
    sink.server.stop()


@pytest.fixture
def report_sink(_report_sink_server):
    _report_sink_server.reset()
    yield _report_sink_server
    _report_sink_server.reset()
