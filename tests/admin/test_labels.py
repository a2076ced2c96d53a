"""Codes are named in one place (admin/labels.py): every audit action the code base records, every
delivery status; and the pages show the names, never the codes (issue 12 item 7)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import insert

from admin import labels
from notify import clock
from notify.extensions import db
from notify.lifecycle.transitions import Action as RevisionAction
from notify.models import Delivery
from notify.models.deliveries import Status
from notify.models.screens import LED_CHANNEL
from notify.tipoffs.transitions import Action as TipoffAction
from tests.conftest import login
from tests.notify.screens.fixtures import make_screen  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# audit.record("code", …) and audit.record(f"family.{…}", …), the action on the call's first line
# or the next.
RECORDED = re.compile(r"audit\.record\(\s*(f?)\"([^\"]+)\"")


def _recorded_actions() -> tuple[set[str], set[str]]:
    literal, dynamic = set(), set()
    for folder in ("notify", "admin"):
        for path in (ROOT / folder).rglob("*.py"):
            for is_f, code in RECORDED.findall(path.read_text(encoding="utf-8")):
                (dynamic if is_f and "{" in code else literal).add(code)
    return literal, dynamic


def test_every_recorded_action_has_a_name():
    literal, dynamic = _recorded_actions()
    assert len(literal) > 40  # the scan found the calls
    assert sorted(code for code in literal if code not in labels.EVENTS) == []
    # The actions built from a value: every value they can take.
    expanded = {
        "revision.{action.value}": [f"revision.{a.value}" for a in RevisionAction],
        "tipoff.{action.value}": [f"tipoff.{a.value}" for a in TipoffAction],
        "deadline.{deadline}.escalated": [
            "deadline.approval_form.escalated",
            "deadline.publication.escalated",
        ],
        "records.{which}_saved": ["records.drill_saved", "records.evaluation_saved"],
        "api.{operation}": [],  # named after the domain's own action (event_label's api. prefix)
    }
    assert dynamic <= set(expanded), dynamic - set(expanded)
    assert sorted(c for codes in expanded.values() for c in codes if c not in labels.EVENTS) == []


@pytest.mark.parametrize(
    "code, name",
    [
        ("revision.approve", "Approved"),
        ("api.revision.submit", "Through the API: Submitted for approval"),
        ("revision.withdrawn_someday", "Warning step (revision.withdrawn_someday)"),
        ("unheard.of", "unheard.of"),
    ],
)
def test_event_names(code, name, app):
    with app.test_request_context(), force_locale("en"):
        assert labels.event_label(code) == name


def test_every_delivery_status_has_a_name():
    assert set(Status.ALL) <= set(labels.DELIVERY_STATUSES)


def test_the_screen_page_names_delivery_statuses(client, sample_users, make_screen):  # noqa: F811
    screen, _token = make_screen()
    now = clock.now()
    rows = [
        {
            "purpose": "warning",
            "channel": LED_CHANNEL,
            "address": screen.address,
            "status": status,
            "next_attempt_at": now,
            "created_at": now - timedelta(minutes=1),
            "updated_at": now,
            "error_reason": "",
        }
        for status in (Status.DELIVERED, Status.DELIVERED, Status.ACCEPTED)
    ]
    db.session.execute(insert(Delivery.__table__), rows)
    db.session.commit()
    login(client, "admin")
    html = client.get(f"/admin/screens/{screen.id}").get_data(as_text=True)
    deliveries = html.split('data-test="deliveries">', 1)[1].split("</dd>", 1)[0]
    assert "已送达</span> 2" in deliveries and "网关已受理</span> 1" in deliveries
    assert "delivered" not in re.sub(r'data-status="[^"]*"', "", deliveries)
