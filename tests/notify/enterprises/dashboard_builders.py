"""create_* builders for the dashboard, export and record tests: duties as a publication leaves
them, with their progress (received, in place, superseded) stated by each test, and their SMS.

A test publishes its revisions first, on a frozen clock at T0, and builds the enterprises after:
so the duties are the test's own, not those the publication writes for the registry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from notify.enterprises.duties import PURPOSE
from notify.extensions import db
from notify.models import Delivery, Enterprise, EnterpriseDuty, Jurisdiction, Revision, Township
from notify.models.deliveries import Status
from tests.notify.enterprises.builders import create_enterprise

T0 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Yu County: the scene's publication
DUE = T0 + timedelta(hours=2)  # 000 §5.6: in place within 2 h
REDUCTION = {"so2": 1.0, "nox": 2.0, "pm": 0.5, "vocs": 0.0}


def create_duty(revision: Revision, enterprise: Enterprise, **overrides: Any) -> EnterpriseDuty:
    """A duty of `revision` for `enterprise`, due 2 h after its publication."""
    assert revision.published_at is not None, "duties are written when a revision is published"
    values: dict[str, Any] = {
        "township_id": enterprise.township_id,
        "kind": "duty",
        "response": "III",
        "grade": enterprise.grade,
        "exempt": False,
        "text_zh": "停产50%，以生产线计",
        "action": {"stop_share": 50},
        "reduction": dict(REDUCTION),
        "phone": enterprise.env_officer_phone,
        "requires_ack": True,
        "due_at": revision.published_at + timedelta(hours=2),
    }
    values.update(overrides)
    duty = EnterpriseDuty(revision_id=revision.id, enterprise_id=enterprise.id, **values)
    db.session.add(duty)
    db.session.flush()
    return duty


def create_exemption(revision: Revision, enterprise: Enterprise, **overrides: Any) -> EnterpriseDuty:
    """The notice an exempt enterprise gets: nothing to stop, nothing to confirm."""
    values: dict[str, Any] = {
        "exempt": True,
        "grade": "exempt",
        "text_zh": "豁免（保民生）",
        "action": {},
        "reduction": {},
        "requires_ack": False,
        "due_at": None,
    }
    values.update(overrides)
    return create_duty(revision, enterprise, **values)


def create_duty_sms(duty: EnterpriseDuty, status: str = Status.DELIVERED, **overrides: Any) -> Delivery:
    """The SMS that carried the duty, at the status the gateway reported."""
    values: dict[str, Any] = {
        "revision_id": duty.revision_id,
        "purpose": PURPOSE,
        "channel": "sms",
        "address": duty.phone,
        "status": status,
    }
    values.update(overrides)
    delivery = Delivery(**values)
    db.session.add(delivery)
    db.session.flush()
    return delivery


def create_scene(
    published: Revision, towns: list[Township], jurisdiction: Jurisdiction
) -> dict[str, EnterpriseDuty]:
    """In the first township: A in place on time, B received and silent (its SMS not reached).
    In the second: C in place late and never opened, D exempt."""
    t1, t2 = towns
    a = create_enterprise(jurisdiction, township=t1, name="甲石灰厂")
    b = create_enterprise(jurisdiction, township=t1, name="乙石灰厂")
    c = create_enterprise(jurisdiction, township=t2, name="丙铸造厂")
    d = create_enterprise(jurisdiction, township=t2, name="丁供热站", grade="exempt")
    duties = {
        "a": create_duty(
            published,
            a,
            received_at=T0 + timedelta(minutes=5),
            in_place_at=T0 + timedelta(minutes=50),
            in_place_note="1号窑已停",
            reduction={"so2": 1.0, "nox": 2.0, "pm": 0.5, "vocs": 0.0},
        ),
        "b": create_duty(
            published,
            b,
            received_at=T0 + timedelta(minutes=7),
            reduction={"so2": 3.0, "nox": 1.0, "pm": 0.5, "vocs": 0.0},
        ),
        "c": create_duty(
            published,
            c,
            in_place_at=DUE + timedelta(minutes=10),
            reduction={"so2": 0.0, "nox": 1.0, "pm": 1.0, "vocs": 0.4},
        ),
        "d": create_exemption(published, d),
    }
    create_duty_sms(duties["a"], Status.DELIVERED)
    create_duty_sms(duties["b"], Status.UNDELIVERED, error_code="MK:0001")
    create_duty_sms(duties["c"], Status.SENT)
    create_duty_sms(duties["d"], Status.DELIVERED)
    db.session.commit()
    return duties
