"""The Yu County demo: a newcomer sees a populated directory, public site and timeline."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import func, select

from notify.demo.seed import DEMO_LOGINS, seed_demo
from notify.extensions import db
from notify.models import AlertKind, AuditEvent, Expert, MemberUnit, Township, User, Warning


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_builds_the_plan_and_a_published_warning(app, client):
    assert seed_demo() is True
    assert seed_demo() is False  # idempotent
    assert (_count(Township), _count(MemberUnit), _count(Expert)) == (13, 24, 6)
    assert {u.role for u in db.session.scalars(select(User))} == {d.role.value for d in DEMO_LOGINS}
    kinds = {k.code: k for k in db.session.scalars(select(AlertKind))}
    assert set(kinds) == {
        "heavy_pollution",
        "ozone_prompt",
        "so2_control",
        "environmental_emergency",
        "production_safety",
    }
    assert [lv.code for lv in kinds["production_safety"].levels] == ["blue", "yellow", "orange", "red"]
    assert [lv.numeral for lv in kinds["environmental_emergency"].levels] == ["IV", "III", "II", "I"]
    for kind in kinds.values():
        for level in kind.levels:
            assert level.criteria_zh and level.criteria_en and level.approver_role
            for block in level.advisory_blocks().values():
                assert all(item["zh"] and item["en"] for item in block)
    hp = {lv.code: lv for lv in kinds["heavy_pollution"].levels}
    assert (hp["yellow"].approver_role, hp["orange"].approver_role, hp["red"].approver_role) == (
        "deputy_commander",
        "deputy_commander",
        "commander",
    )

    warning = db.session.scalar(select(Warning))
    assert warning.status == "active"
    assert [(r.action, r.level.code, r.state) for r in warning.revisions] == [
        ("issue", "yellow", "published"),
        ("upgrade", "orange", "published"),
    ]
    assert all(r.approval_form.decision == "approved" and r.snapshot for r in warning.revisions)
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.warning_id == warning.id).order_by(AuditEvent.occurred_at)
        )
        if e.action.startswith("revision.")
    ]  # schools' notices and answers have their own test
    assert actions == ["revision.draft", "revision.submit", "revision.approve", "revision.publish"] * 2

    page = client.get("/").get_data(as_text=True)
    assert 'data-level="orange"' in page and "橙色预警" in page


def test_seed_has_daily_reports_contacts_and_a_drill(app):
    from datetime import datetime

    from notify.models import DrillRecord, DutyContact, EffectEvaluation, ResponseDay

    seed_demo(
        now=datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    )  # 14:00; the warning began at 18:00 the day before
    assert _count(DutyContact) == 25
    real = db.session.scalar(select(Warning).where(Warning.is_exercise.is_(False)))
    drill = db.session.scalar(select(Warning).where(Warning.is_exercise.is_(True)))
    assert drill.status == "active" and drill.current.snapshot.content["exercise"] is True
    assert (_count(DrillRecord), _count(EffectEvaluation)) == (1, 1)
    day = db.session.scalar(select(ResponseDay))
    assert str(day.day) == "2026-11-23" and day.warning_id == real.id
    assert day.closed_at is not None and day.filed_at_close == 21 and day.missing_at_close.count("、") == 2


@pytest.mark.parametrize("local_time", ["00:30", "08:00", "09:59", "10:00", "14:00", "21:00", "23:59"])
def test_the_demo_has_a_morning_of_daily_reports_whatever_the_hour(local_time, app):
    """The README promises a morning of daily reports: the last response day closed at 10:00
    has its reports and its close, whenever the demo is seeded."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from freezegun import freeze_time

    from notify.models import DailyReport, ResponseDay

    beijing = ZoneInfo("Asia/Shanghai")
    hour, minute = map(int, local_time.split(":"))
    now = datetime(2026, 11, 23, hour, minute, tzinfo=beijing).astimezone(UTC)
    closed = now.astimezone(beijing).date() - timedelta(days=0 if hour >= 10 else 1)
    with freeze_time(now):
        assert seed_demo(now=now) is True
    real = db.session.scalar(select(Warning).where(Warning.is_exercise.is_(False)))
    assert real.status == "active" and [r.level.code for r in real.revisions] == ["yellow", "orange"]
    day = db.session.scalar(select(ResponseDay).where(ResponseDay.warning_id == real.id))
    assert day is not None and day.day == closed and day.closed_at is not None
    assert day.filed_at_close == 21 == _count(DailyReport)


def test_the_demo_enterprises_answer_their_duties_as_real_ones_do(app):
    """The demo's warning ordered every listed enterprise. For the first revision, whose 2 h are
    over, most put their measures in place in time, some only after the reminder, a few never
    (and were reported); the current one's 2 h are still running, so no one is reminded yet and
    no answer lies in the future of the demo's clock."""
    from notify import clock  # the demo's now
    from notify.models import EnterpriseDuty, EnterprisePlan, ReductionList  # enterprise tables

    seed_demo()
    now = clock.now()
    assert _count(ReductionList) == 1
    assert db.session.scalar(select(func.count()).where(EnterprisePlan.state == "approved")) == 12
    warning = db.session.scalar(select(Warning))
    first, upgrade = warning.revisions[0], warning.revisions[-1]

    def duties(revision) -> list[EnterpriseDuty]:
        return list(
            db.session.scalars(
                select(EnterpriseDuty).where(
                    EnterpriseDuty.revision_id == revision.id, EnterpriseDuty.requires_ack.is_(True)
                )
            )
        )

    earlier = duties(first)
    assert len(earlier) >= 40 and {d.response for d in earlier} == {"III"}
    on_time = [d for d in earlier if d.in_place_at is not None and d.in_place_at <= d.due_at]
    late = [d for d in earlier if d.in_place_at is not None and d.in_place_at > d.due_at]
    silent = [d for d in earlier if d.in_place_at is None]
    assert on_time and late and silent
    assert all(d.reminded_at is not None for d in late + silent)
    assert all(d.reported_at is not None for d in silent)
    # Its SMS went out at its own time, before the upgrade replaced it.
    assert all(d.notified_at is not None and d.superseded_at is not None for d in earlier)
    assert all(d.notified_at < d.superseded_at for d in earlier)

    current = duties(upgrade)
    assert {d.response for d in current} == {"II"}
    assert any(d.in_place_at is not None for d in current)
    assert all(d.reminded_at is None and d.reported_at is None for d in current)
    assert all(d.in_place_at is None or d.in_place_at <= now for d in current)
