"""Schools: a registry imported through the real CSV path, and helpers to read what was sent."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from notify.extensions import db
from notify.models import Delivery, School, SchoolContact, SchoolNotice
from notify.scheduling import runner

LINK = re.compile(r"https?://\S+/a/(\S+)")


def token_in(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


@pytest.fixture
def yu_schools(sample_jurisdiction) -> list[School]:
    """The demo registry: 68 schools and kindergartens in 13 townships, and their contacts."""
    from notify.demo.schools import seed_schools

    seed_schools(sample_jurisdiction)
    db.session.commit()
    return list(db.session.scalars(select(School).order_by(School.id)))


@pytest.fixture
def restart(app):
    """Forget this process's scheduler, as a restart would: only the database keeps the jobs."""

    def _restart():
        store = app.extensions.pop(runner._STORE_EXT, None)
        if store is not None:
            store.shutdown(wait=False)

    _restart()
    yield _restart
    _restart()


def notices(revision_id: int) -> list[SchoolNotice]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(SchoolNotice)
            .where(SchoolNotice.revision_id == revision_id)
            .order_by(SchoolNotice.school_id)
        )
    )


def deliveries(purpose: str, revision_id: int | None = None) -> list[Delivery]:
    query = select(Delivery).where(Delivery.purpose == purpose).order_by(Delivery.id)
    if revision_id is not None:
        query = query.where(Delivery.revision_id == revision_id)
    return list(db.session.scalars(query))


def contacts() -> list[SchoolContact]:
    return list(db.session.scalars(select(SchoolContact).order_by(SchoolContact.id)))
