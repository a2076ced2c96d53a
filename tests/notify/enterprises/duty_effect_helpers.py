"""Builders and readers for the duty tests: a small reduction list, publishing on a frozen clock,
and what was sent.

Times are on a frozen clock: T0 (09:00 in Yu County) is when the tests publish.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from notify.enterprises import messages
from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models import Delivery, EnterpriseContact, EnterpriseDuty, EnterprisePlan, Robot
from notify.scheduling import runner
from tests.conftest import proposal, take_to
from tests.notify.enterprises.builders import create_reduction_list

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
START = T0 + timedelta(minutes=30)  # the response starts half an hour after publication
DUE = START + timedelta(hours=2)  # §5.6
_contacts = itertools.count(1)
LINK = re.compile(r"https?://\S+(/d/\S+)")

STOP_HALF = "停产50%，以生产线计；停止使用国四及以下重型载货车辆（含燃气）进行运输。"
STOP_ALL = "停产，停止使用国四及以下重型载货车辆（含燃气）进行运输。"
TRUCKS_ONLY = "停止使用国四及以下重型载货车辆（含燃气）进行运输。"
VOLUNTARY = "鼓励结合实际，自主采取减排措施。"


def lime_kiln_list(jurisdiction):
    """石灰窑 of 附件11 at Ⅲ and Ⅱ, grades A–D (C at Ⅱ stops the whole plant)."""
    trucks = {"trucks": "stop_china4_and_below"}
    cells = []
    for response in ("III", "II"):
        cells += [
            {"grade": "A", "text_zh": VOLUNTARY, "action": {"voluntary": True}},
            {"grade": "B", "text_zh": TRUCKS_ONLY, "action": trucks},
            {
                "grade": "C",
                **(
                    {"text_zh": STOP_HALF, "action": {"stop_share": 50, "basis": "lines", **trucks}}
                    if response == "III"
                    else {
                        "text_zh": STOP_ALL,
                        "action": {"stop_share": 100, "basis": "whole_plant", **trucks},
                    }
                ),
            },
            {
                "grade": "D",
                "text_zh": STOP_ALL,
                "action": {"stop_share": 100, "basis": "whole_plant", **trucks},
            },
        ]
        for cell in cells[-4:]:
            cell.update(industry="lime_kiln", response=response)
    return create_reduction_list(jurisdiction, *cells)


def publish(draft, users, at=T0):
    with freeze_time(at):
        take_to(draft, "published", users)
    return draft


def change(revision, action, level, users, at, **overrides):
    """A later revision of the warning (upgrade, downgrade, extend, lift), published at `at`."""
    overrides.setdefault("response_start_at", at)
    with freeze_time(at - timedelta(minutes=5)):
        draft = propose_change(revision.warning, action, proposal(level, **overrides), users["office"])
        db.session.commit()
    return publish(draft, users, at)


def duties(revision_id: int) -> list[EnterpriseDuty]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(EnterpriseDuty)
            .where(EnterpriseDuty.revision_id == revision_id)
            .order_by(EnterpriseDuty.enterprise_id)
        )
    )


def duty_of(revision_id: int, enterprise_id: int) -> EnterpriseDuty:
    db.session.rollback()
    return db.session.scalar(
        select(EnterpriseDuty).where(
            EnterpriseDuty.revision_id == revision_id, EnterpriseDuty.enterprise_id == enterprise_id
        )
    )


def sent(
    purpose: str = messages.PURPOSE, revision_id: int | None = None, channel: str = "sms"
) -> list[Delivery]:
    query = (
        select(Delivery).where(Delivery.purpose == purpose, Delivery.channel == channel).order_by(Delivery.id)
    )
    if revision_id is not None:
        query = query.where(Delivery.revision_id == revision_id)
    return list(db.session.scalars(query))


def link_in(body: str) -> str:
    """The path of the duty link in a text: /d/<token>."""
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def link_of(revision_id: int, enterprise) -> str:
    body = next(d.body for d in sent(revision_id=revision_id) if d.address == enterprise.env_officer_phone)
    return link_in(body)


def create_robot(jurisdiction, **overrides) -> Robot:
    values = {
        "kind": "wecom",
        "name": "企业环保群",
        "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test",
    }
    values.update(overrides)
    robot = Robot(jurisdiction=jurisdiction, **values)
    db.session.add(robot)
    db.session.flush()
    return robot


def create_contact(jurisdiction, township=None, **overrides) -> EnterpriseContact:
    values = {"name": "值班员", "phone": f"+86137{next(_contacts):08d}"}
    values.update(overrides)
    contact = EnterpriseContact(jurisdiction_id=jurisdiction.id, township=township, **values)
    db.session.add(contact)
    db.session.flush()
    return contact


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


def create_plan(enterprise, **overrides) -> EnterprisePlan:
    values = {
        "version": 1,
        "state": "approved",
        "levels": {
            "III": {
                "text": "1号窑停产",
                "indicators": [{"name": "日用电量", "value": "≤ 5000", "unit": "kWh"}],
            }
        },
    }
    values.update(overrides)
    plan = EnterprisePlan(enterprise_id=enterprise.id, **values)
    db.session.add(plan)
    db.session.flush()
    return plan
