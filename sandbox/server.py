"""Run a stand-in's WSGI app on a port in a background thread (tests, demo, benchmarks)."""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    # One log line per request would drown test output and slow benchmarks down.
    def log_request(self, *args, **kwargs) -> None:
        pass


class BackgroundServer:
    """A threaded werkzeug server; port 0 picks a free port (see .port / .url)."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietHandler if quiet else None
        )
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"standin-{self.port}", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
