"""The sandbox screen simulator against the live server's real feed and report endpoints: it
receives an issue, an upgrade and then a lifting, in order, shows each, and renders it to PNG."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from sqlalchemy import select

from notify.extensions import db
from notify.models import Delivery
from notify.models.screens import Screen
from sandbox.screen_simulator import CAPTION, CELL, LINE_HEIGHT, PAD, PAGE_GAP, ScreenSimulator, render_png
from tests.conftest import fresh
from tests.notify.screens.conftest import change, issue

RED = (0xD7, 0x19, 0x1C)
ALL_CLEAR = (0x1A, 0x98, 0x50)


def _wait_for(simulator: ScreenSimulator, version: int, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = simulator.shown
        if shown is not None and shown.version >= version:
            return shown
        time.sleep(0.05)
    raise AssertionError(f"the simulator never showed version {version}: {simulator.events[-5:]}")


def _count(png: bytes, colour: tuple[int, int, int]) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return dict((c, n) for n, c in image.getcolors(maxcolors=1 << 24)).get(colour, 0)


@pytest.fixture
def simulator_for(live_server):
    started = []

    def start(screen, token, **kwargs) -> ScreenSimulator:
        fmt = kwargs.pop("fmt", "json")
        sim = ScreenSimulator(
            f"{live_server}/screens/{screen.id}/feed.{fmt}",
            token,
            poll_seconds=0.1,
            heartbeat_seconds=0.3,
            **kwargs,
        ).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def test_simulator_receives_an_upgrade_and_then_a_lifting_in_order(
    simulator_for, make_screen, sample_users, sample_kind, sample_levels, tmp_path
):
    screen, token = make_screen(chars=12, lines=3, colours="full", name="县汽车站")
    png_path = tmp_path / "bus-station.png"
    sim = simulator_for(screen, token, png_path=str(png_path))
    assert _wait_for(sim, 1).state == "idle"

    first = issue(sample_kind, sample_levels["yellow"], sample_users)
    shown = _wait_for(sim, 2)
    assert (shown.state, shown.level["code"]) == ("warning", "yellow")

    upgrade = change(
        first.warning,
        "upgrade",
        sample_levels["red"],
        sample_users,
        headline_zh="盂县重污染天气预警升级为红色，启动Ⅰ级应急响应",
    )
    shown = _wait_for(sim, 3)
    assert (shown.state, shown.level["code"]) == ("warning", "red")
    assert shown.pages[0]["lines"][0] == "重污染天气红色预警"
    red_png = png_path.read_bytes()

    lift = change(
        first.warning, "lift", sample_levels["red"], sample_users, headline_zh="盂县解除重污染天气红色预警"
    )
    shown = _wait_for(sim, 4)
    assert shown.state == "lifted" and shown.pages[0]["lines"][0] == "重污染天气红色预警解除"
    lifted_png = png_path.read_bytes()

    # In order, each once: idle, issue, upgrade, lifting.
    assert [(s.version, s.state, s.level["code"]) for s in sim.history] == [
        (1, "idle", "none"),
        (2, "warning", "yellow"),
        (3, "warning", "red"),
        (4, "lifted", "red"),
    ]

    # Its "displayed" reports delivered every revision to this screen.
    deadline = time.monotonic() + 5
    while True:
        fresh()
        statuses = dict(
            db.session.execute(
                select(Delivery.revision_id, Delivery.status).where(Delivery.address == screen.address)
            ).all()
        )
        if set(statuses.values()) == {"delivered"} or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert statuses == {first.id: "delivered", upgrade.id: "delivered", lift.id: "delivered"}
    fresh()
    row = db.session.get(Screen, screen.id)
    assert row.displayed_version == 4 and row.last_heartbeat_at is not None and row.last_fetch_at is not None
    # Nothing changed since: a poll costs a 304.
    assert sim.poll_once() == "unchanged"

    # The PNG: the board's size, not blank, the level's colour for the upgrade, green for the lifting.
    image = Image.open(io.BytesIO(red_png))
    pages = len([p for p in sim.history[2].pages])
    assert image.format == "PNG"
    assert image.size == (12 * CELL + 2 * PAD, pages * (CAPTION + 3 * LINE_HEIGHT + 2 * PAD + PAGE_GAP))
    assert len(image.convert("RGB").getcolors(maxcolors=100_000)) > 10
    assert _count(red_png, RED) > 500
    assert _count(lifted_png, ALL_CLEAR) > 200 and _count(lifted_png, RED) == 0


def test_a_two_colour_board_shows_the_fallback_and_a_text_gateway_reads_the_gbk_variant(
    simulator_for, make_screen, sample_users, sample_kind, sample_levels
):
    screen, token = make_screen(chars=8, lines=2, colours="two")
    issue(sample_kind, sample_levels["orange"], sample_users)
    json_sim = simulator_for(screen, token)
    text_sim = simulator_for(screen, token, fmt="txt")
    from_json, from_text = _wait_for(json_sim, 2), _wait_for(text_sim, 2)
    assert [p["lines"] for p in from_text.pages] == [p["lines"] for p in from_json.pages]
    assert from_text.level == {"code": "orange", "words": "橙色预警"}
    png = render_png(from_text)
    assert _count(png, (255, 255, 0)) > 200  # orange on a red-green board: yellow
    assert _count(png, (0xF0, 0x8A, 0x00)) == 0


def test_faults_silence_and_dropped_polls(
    simulator_for, make_screen, sample_users, sample_kind, sample_levels
):
    screen, token = make_screen()
    sim = simulator_for(screen, token)
    _wait_for(sim, 1)
    sim.faults.update(drop_polls=1.0)
    issue(sample_kind, sample_levels["yellow"], sample_users)
    time.sleep(0.5)
    assert sim.shown.version == 1 and any(what == "dropped" for what, _ in sim.events)
    sim.faults.update(drop_polls=0.0)
    assert _wait_for(sim, 2).level["code"] == "yellow"

    sim.faults.update(silent=True)
    time.sleep(0.3)  # let a request already on its way finish
    fresh()
    before = db.session.get(Screen, screen.id)
    heard, fetched = before.last_heartbeat_at, before.last_fetch_at
    time.sleep(0.8)
    fresh()
    after = db.session.get(Screen, screen.id)
    assert (after.last_heartbeat_at, after.last_fetch_at) == (heard, fetched)
    assert any(what == "silent" for what, _ in sim.events)


def test_a_revoked_token_is_noticed_by_the_gateway(simulator_for, make_screen):
    from notify import clock
    from notify.screens import registry

    screen, token = make_screen()
    sim = simulator_for(screen, token)
    _wait_for(sim, 1)
    fresh()
    registry.rotate_token(db.session.get(Screen, screen.id), clock.now())
    db.session.commit()
    deadline = time.monotonic() + 5
    while not any(what == "error" and "403" in str(detail) for what, detail in sim.events):
        assert time.monotonic() < deadline, sim.events[-5:]
        time.sleep(0.05)
