"""Fixtures of the screens' tests that the console and browser tests use too (registered in
tests/conftest.py).

- `make_screen(code=XIUSHUI, *, chars=16, lines=3, …)`: registers a screen in a township of the
  sample county and returns (screen, token).
"""

from __future__ import annotations

import pytest

from notify import clock
from notify.extensions import db
from notify.screens import registry
from tests.notify.screens.conftest import XIUSHUI, township


@pytest.fixture
def make_screen(sample_jurisdiction):
    counter = {"n": 0}

    def make(
        code: str = XIUSHUI,
        *,
        chars: int = 16,
        lines: int = 3,
        colours: str = "full",
        vendor: str = "huidu",
        name: str | None = None,
        interval: int = 60,
        is_test: bool = False,
        now=None,
    ):
        counter["n"] += 1
        screen, token = registry.create(
            sample_jurisdiction,
            registry.ScreenData(
                name=name or f"测试屏{counter['n']}",
                township=township(sample_jurisdiction, code),
                vendor=vendor,
                chars_per_line=chars,
                lines=lines,
                colours=colours,
                heartbeat_interval_s=interval,
                is_test=is_test,
            ),
            now or clock.now(),
        )
        db.session.commit()
        return screen, token

    return make
