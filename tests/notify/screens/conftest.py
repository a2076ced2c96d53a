"""Screens for the tests, and warnings taken through the real lifecycle to reach them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import Township
from notify.screens import registry
from tests.conftest import proposal, take_to

XIUSHUI, SUNJIAZHUANG, NANLOU = "140322100", "140322101", "140322103"


def township(jurisdiction, code: str) -> Township:
    return db.session.scalar(
        select(Township).where(Township.jurisdiction_id == jurisdiction.id, Township.code == code)
    )


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


def issue(kind, level, users, **overrides):
    revision = propose_issue(kind, proposal(level, **overrides), users["office"])
    db.session.commit()
    take_to(revision, "published", users)
    return revision


def change(warning, action: str, level, users, **overrides):
    revision = propose_change(warning, action, proposal(level, **overrides), users["office"])
    db.session.commit()
    take_to(revision, "published", users)
    return revision


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
