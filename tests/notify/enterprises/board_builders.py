"""Builders for the public enterprise pages: a duty of a published revision, an approved plan,
a tip-off that names an enterprise. Enterprises come from tests/notify/enterprises/builders.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from notify.extensions import db
from notify.models import Enterprise, EnterpriseDuty, EnterprisePlan, Revision, Tipoff
from notify.tipoffs.submission import SubmissionData, submit

MEASURE_III = "停产50%，以生产线计"

PLAN_LEVELS: dict[str, Any] = {
    "III": {
        "text": "1号生产线停产",
        "lines": [],
        "processes": "煅烧",
        "prep_hours": 2,
        "indicators": [{"name": "天然气用量", "value": "≤500", "unit": "m³/h"}],
        "responsible": [{"name": "李四", "phone": "+8613900000001", "duty": "生产厂长"}],
    },
    "II": {"text": "1号、2号生产线停产", "prep_hours": 3, "responsible": []},
    "I": {"text": "全厂停产", "prep_hours": 4},
}


def create_duty(revision: Revision, enterprise: Enterprise, **overrides: Any) -> EnterpriseDuty:
    """The duty a publication would have written for `enterprise` (create the enterprise after
    publishing, so that the publication's own effect did not write one already)."""
    values: dict[str, Any] = {
        "kind": "duty",
        "response": revision.level.numeral,
        "grade": enterprise.grade,
        "text_zh": MEASURE_III,
        "action": {"stop_share": 50},
        "phone": enterprise.env_officer_phone,
        "due_at": (revision.published_at or revision.created_at) + timedelta(hours=2),
    }
    values.update(overrides)
    duty = EnterpriseDuty(
        revision_id=revision.id, enterprise_id=enterprise.id, township_id=enterprise.township_id, **values
    )
    db.session.add(duty)
    db.session.flush()
    return duty


def create_plan(
    enterprise: Enterprise, levels: dict[str, Any] | None = None, **overrides: Any
) -> EnterprisePlan:
    values: dict[str, Any] = {"version": 1, "state": "approved", "levels": levels or PLAN_LEVELS}
    values.update(overrides)
    plan = EnterprisePlan(enterprise_id=enterprise.id, **values)
    db.session.add(plan)
    db.session.flush()
    return plan


def create_named_tipoff(enterprise: Enterprise, **overrides: Any) -> Tipoff:
    """A tip-off about `enterprise`, as its notice board's report link would send it."""
    values: dict[str, Any] = {
        "category": "production_during_shutdown",
        "description": "预警期间夜间仍在生产，举报人看到的细节",
        "township": enterprise.township,
        "address": "厂区东门",
        "enterprise_id": enterprise.id,
    }
    values.update(overrides)
    tipoff, _code = submit(enterprise.jurisdiction, SubmissionData(**values))
    return tipoff
