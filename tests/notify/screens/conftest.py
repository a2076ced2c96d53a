"""Helpers of the screens' tests: townships by code, and warnings taken through the real
lifecycle to reach the screens. The `make_screen` fixture is in fixtures.py."""

from __future__ import annotations

from sqlalchemy import select

from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import Township
from tests.conftest import proposal, take_to

XIUSHUI, SUNJIAZHUANG, NANLOU = "140322100", "140322101", "140322103"


def township(jurisdiction, code: str) -> Township:
    return db.session.scalar(
        select(Township).where(Township.jurisdiction_id == jurisdiction.id, Township.code == code)
    )


def issue(kind, level, users, **overrides):
    # The scenes put several warnings of one kind in force at once on purpose.
    revision = propose_issue(kind, proposal(level, **overrides), users["office"], confirm_overlap=True)
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
