"""A stand-in for an LED screen and its vendor gateway: polls the screen's feed, shows it, reports.

Like the small per-vendor gateways in the field (Onbon/BX, Huidu, Listen, NovaStar), it
- polls the feed every --poll seconds with If-None-Match, so an unchanged feed costs a 304;
- takes a new version, "displays" it (keeps it, and renders it to PNG with the CJK font, each
  page in the colour the board's profile allows), then posts "displayed version N";
- posts a heartbeat every --heartbeat seconds (default: the screen's interval from the console,
  which the operator types into the gateway; here the poll interval times two);
- has fault switches: `silent` (the gateway is off: no polls, no reports) and `drop_polls`
  (a share of polls lost on the way, as on a flaky 4G link).

    python -m sandbox.screen_simulator --feed http://127.0.0.1:5000/screens/1/feed.json \
        --token T --png out.png [--poll 5] [--control-port 5111]

With --control-port it also serves GET /screen.png (what it shows now), GET /state and
POST /_sandbox/faults {"silent": true, "drop_polls": 0.5}, so a person can watch and break it.

    python -m sandbox.screen_simulator --demo-fleet http://127.0.0.1:5000 --control-port 5111

runs one simulator per screen of the demo seed (what `make run` starts), all but one reporting,
so the console shows that one's offline alarm; /screen.png?screen=<n> shows screen n.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

FONT_PATH = os.environ.get("SCREEN_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
CELL = 32  # pixels per full-width character; a half-width one takes 16
LINE_HEIGHT = 40
PAD = 12
PAGE_GAP = 10
CAPTION = 22
BACKGROUND = (0, 0, 0)
CHROME = (32, 32, 32)
CAPTION_COLOUR = (150, 150, 150)
# Kept in step with notify.demo.screens.SILENT_SCREEN (the sandbox does not import the product).
DEMO_SILENT_SCREEN = 9


@dataclass
class Faults:
    silent: bool = False
    drop_polls: float = 0.0  # 0..1: share of polls that never reach the platform

    def update(self, **changes: Any) -> None:
        for name, value in changes.items():
            if name == "silent":
                self.silent = bool(value)
            elif name == "drop_polls":
                share = float(value)
                if not 0.0 <= share <= 1.0:
                    raise ValueError("drop_polls must be between 0 and 1")
                self.drop_polls = share
            else:
                raise ValueError(f"unknown fault switch: {name}")


@dataclass
class Shown:
    version: int
    state: str
    level: dict[str, Any]
    pages: list[dict[str, Any]]
    profile: dict[str, Any]
    received_at: float


def parse_text_feed(body: bytes) -> dict[str, Any]:
    """The GBK plain-text variant, read back into the JSON feed's shape (what a text-only
    controller's gateway would do)."""
    lines = body.decode("gbk").split("\r\n")
    data: dict[str, Any] = {"pages": []}
    i = 0
    size = (0, 0)
    mode = "one"
    while i < len(lines):
        line = lines[i]
        if line.startswith("PAGE "):
            _, _number, colour, fallback = line.split(" ")
            page_lines = lines[i + 1 : i + 1 + size[1]]
            data["pages"].append({"lines": page_lines, "colour": colour, "fallback_colour": fallback})
            i += 1 + size[1]
            continue
        key, _, value = line.partition(" ")
        if key == "VERSION":
            data["version"] = int(value)
        elif key == "STATE":
            data["state"] = value
        elif key == "LEVEL":
            code, _, words = value.partition(" ")
            data["level"] = {"code": code, "words": words}
        elif key == "SIZE":
            chars, _, rows = value.partition("x")
            size = (int(chars), int(rows))
        elif key == "COLOURS":
            mode = value
        i += 1
    data["screen"] = {"profile": {"chars_per_line": size[0], "lines": size[1], "colours": mode}}
    return data


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def render_png(shown: Shown, font_path: str = FONT_PATH) -> bytes:
    """The screen as a person would see it: every page of the feed, one under the other, each
    in the colour the board can show (the exact colour on full-colour boards, else the
    fallback), characters on the board's grid (a Chinese character one cell, a digit half)."""
    from PIL import Image, ImageDraw, ImageFont

    profile = shown.profile
    chars, rows = int(profile["chars_per_line"]), int(profile["lines"])
    full = profile.get("colours", "full") == "full"
    font = ImageFont.truetype(font_path, CELL - 2)
    small = ImageFont.truetype(font_path, 14)
    panel_w, panel_h = chars * CELL + 2 * PAD, rows * LINE_HEIGHT + 2 * PAD
    pages = shown.pages or [{"lines": [""] * rows, "colour": "#000000", "fallback_colour": "#000000"}]
    height = len(pages) * (CAPTION + panel_h + PAGE_GAP)
    image = Image.new("RGB", (panel_w, height), CHROME)
    draw = ImageDraw.Draw(image)
    y = 0
    for number, page in enumerate(pages, start=1):
        draw.text(
            (4, y + 3),
            f"v{shown.version} {shown.state} {number}/{len(pages)}",
            font=small,
            fill=CAPTION_COLOUR,
        )
        y += CAPTION
        draw.rectangle([0, y, panel_w - 1, y + panel_h - 1], fill=BACKGROUND)
        colour = _rgb(page["colour"] if full else page["fallback_colour"])
        for row, text in enumerate(page["lines"][:rows]):
            x = PAD
            for ch in text:
                wide = len(ch.encode("gbk", errors="replace")) > 1
                draw.text((x, y + PAD + row * LINE_HEIGHT + 4), ch, font=font, fill=colour)
                x += CELL if wide else CELL // 2
        y += panel_h + PAGE_GAP
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class ScreenSimulator:
    feed_url: str
    token: str
    poll_seconds: float = 5.0
    heartbeat_seconds: float | None = None
    png_path: str | None = None
    seed: int | None = None
    timeout: float = 5.0
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self):
        self.base = self.feed_url.rsplit("/", 1)[0]
        self.text_feed = self.feed_url.endswith(".txt")
        self.etag: str | None = None
        self.shown: Shown | None = None
        self.history: list[Shown] = []  # every version displayed, in order
        self.events: list[tuple[str, Any]] = []  # (what, detail) for tests and the log
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(timeout=self.timeout, headers={"Authorization": f"Bearer {self.token}"})

    # --- one step each, for tests that drive it by hand ------------------------------------
    def poll_once(self) -> str:
        """One poll: 'new', 'unchanged', 'dropped', 'silent' or 'error'."""
        if self.faults.silent:
            return self._note("silent", None)
        if self.faults.drop_polls and self._random.random() < self.faults.drop_polls:
            return self._note("dropped", None)
        headers = {"If-None-Match": self.etag} if self.etag else {}
        try:
            response = self._client.get(self.feed_url, headers=headers)
        except httpx.HTTPError as exc:
            return self._note("error", f"{type(exc).__name__}: {exc}")
        if response.status_code == 304:
            return self._note("unchanged", None)
        if response.status_code != 200:
            return self._note("error", f"{response.status_code} {response.text[:200]}")
        data = parse_text_feed(response.content) if self.text_feed else response.json()
        self.etag = response.headers.get("ETag")
        shown = Shown(
            version=int(data["version"]),
            state=data["state"],
            level=data["level"],
            pages=data["pages"],
            profile=data["screen"]["profile"],
            received_at=time.time(),
        )
        if self.png_path:  # written before it counts as shown, so a watcher never sees it stale
            Path(self.png_path).write_bytes(render_png(shown))
        with self._lock:
            self.shown = shown
            self.history.append(shown)
        self.report_displayed(shown.version)
        return self._note("new", shown.version)

    def report_displayed(self, version: int) -> int:
        if self.faults.silent:
            return 0
        return self._post("displayed", {"version": version})

    def heartbeat(self) -> int:
        if self.faults.silent:
            return 0
        body = {"displayed_version": self.shown.version} if self.shown else {}
        return self._post("heartbeat", body)

    def png(self) -> bytes | None:
        with self._lock:
            shown = self.shown
        return render_png(shown) if shown else None

    def _post(self, what: str, body: dict[str, Any]) -> int:
        try:
            response = self._client.post(f"{self.base}/{what}", json=body)
        except httpx.HTTPError as exc:
            self._note("error", f"{what}: {type(exc).__name__}: {exc}")
            return 0
        if response.status_code >= 400:
            self._note("error", f"{what}: {response.status_code} {response.text[:200]}")
        return response.status_code

    def _note(self, what: str, detail: Any) -> str:
        with self._lock:
            self.events.append((what, detail))
            del self.events[:-1000]
        return what

    # --- running on its own -------------------------------------------------------------------
    def run(self) -> None:
        beat_every = self.heartbeat_seconds or self.poll_seconds * 2
        next_beat = 0.0
        while not self._stop.is_set():
            self.poll_once()
            if time.monotonic() >= next_beat:
                self.heartbeat()
                next_beat = time.monotonic() + beat_every
            self._stop.wait(self.poll_seconds)

    def start(self) -> ScreenSimulator:
        self._thread = threading.Thread(target=self.run, name="screen-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + self.poll_seconds + 1)
        self._client.close()


def control_app(simulators: dict[int, ScreenSimulator]):
    """/screen.png, /state and /_sandbox/faults for a person watching the demo; with several
    simulators, ?screen=<id> picks one (the first by default)."""
    from flask import Flask, Response, jsonify, request

    app = Flask("screen_simulator")

    def pick() -> ScreenSimulator | None:
        wanted = request.args.get("screen", type=int)
        return simulators.get(wanted) if wanted is not None else next(iter(simulators.values()))

    @app.get("/screen.png")
    def screen_png():
        simulator = pick()
        png = simulator.png() if simulator else None
        if png is None:
            return Response("nothing shown yet\n", status=404, mimetype="text/plain")
        return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})

    @app.get("/state")
    def state():
        out = {}
        for key, simulator in simulators.items():
            shown = simulator.shown
            out[key] = {
                "feed": simulator.feed_url,
                "faults": vars(simulator.faults),
                "version": shown.version if shown else None,
                "state": shown.state if shown else None,
                "level": shown.level if shown else None,
                "history": [s.version for s in simulator.history],
                "recent": [list(e) for e in simulator.events[-5:]],
            }
        return jsonify(out)

    @app.post("/_sandbox/faults")
    def faults():
        simulator = pick()
        if simulator is None:
            return jsonify(error="no such screen"), 404
        changes = request.get_json(silent=True)
        if not isinstance(changes, dict):
            return jsonify(error='send a JSON object, e.g. {"silent": true}'), 400
        try:
            simulator.faults.update(**changes)
        except (TypeError, ValueError) as exc:
            return jsonify(error=str(exc)), 400
        return jsonify(vars(simulator.faults))

    return app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.screen_simulator", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--feed", help="the screen's feed URL (.json or .txt)")
    parser.add_argument("--token", help="the screen's token from the console")
    parser.add_argument(
        "--demo-fleet",
        metavar="BASE_URL",
        help="simulate every screen of the demo seed (tokens demo-screen-<n>) at this "
        "platform address, leaving one silent so its alarm shows",
    )
    parser.add_argument("--fleet-size", type=int, default=20)
    parser.add_argument("--png", help="write what the screen shows to this PNG file")
    parser.add_argument("--poll", type=float, default=5.0, help="seconds between polls")
    parser.add_argument("--heartbeat", type=float, default=None, help="seconds between heartbeats")
    parser.add_argument("--once", action="store_true", help="poll once, report, and exit")
    parser.add_argument(
        "--control-port",
        type=int,
        default=None,
        help="serve /screen.png, /state and /_sandbox/faults on this port",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--silent", action="store_true", help="start with the 'silent' fault on")
    parser.add_argument("--drop-polls", type=float, default=0.0, help="share of polls lost (0..1)")
    args = parser.parse_args(argv)
    if not args.demo_fleet and not (args.feed and args.token):
        parser.error("give --feed and --token, or --demo-fleet")
    return args


def _fleet(args) -> dict[int, ScreenSimulator]:
    base = args.demo_fleet.rstrip("/")
    fleet = {}
    for n in range(1, args.fleet_size + 1):
        simulator = ScreenSimulator(
            f"{base}/screens/{n}/feed.json",
            f"demo-screen-{n}",
            poll_seconds=args.poll,
            heartbeat_seconds=args.heartbeat or 30.0,
            seed=n,
        )
        simulator.faults.update(silent=(n == DEMO_SILENT_SCREEN), drop_polls=args.drop_polls)
        fleet[n] = simulator
    return fleet


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.demo_fleet:
        simulators = _fleet(args)
    else:
        simulator = ScreenSimulator(
            args.feed, args.token, poll_seconds=args.poll, heartbeat_seconds=args.heartbeat, png_path=args.png
        )
        simulator.faults.update(silent=args.silent, drop_polls=args.drop_polls)
        simulators = {0: simulator}
    if args.once:
        for simulator in simulators.values():
            outcome = simulator.poll_once()
            simulator.heartbeat()
            shown = simulator.shown
            print(
                json.dumps(
                    {
                        "feed": simulator.feed_url,
                        "poll": outcome,
                        "version": shown.version if shown else None,
                        "state": shown.state if shown else None,
                        "errors": [e for e in simulator.events if e[0] == "error"],
                    },
                    ensure_ascii=False,
                )
            )
            simulator.stop()
        return
    server = None
    if args.control_port is not None:
        from sandbox.server import BackgroundServer

        server = BackgroundServer(control_app(simulators), args.host, args.control_port).start()
        print(
            f"Screen simulator(s): {server.url}/screen.png?screen=<n>  state: {server.url}/state  "
            f"faults: POST {server.url}/_sandbox/faults?screen=<n>",
            flush=True,
        )
    for simulator in simulators.values():
        simulator.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for simulator in simulators.values():
            simulator.stop()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
