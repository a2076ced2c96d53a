"""15 days to decide on acceptance, 60 to close, one extension of up to 30; overdue listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notify.tipoffs.deadlines import deadlines_for, is_overdue, overdue
from notify.tipoffs.guard import ActionData, perform
from tests.notify.tipoffs.fixtures import make_tipoff

# Instants are passed explicitly; everything else runs on the suite's frozen scene clock
# (tests/scene_clock.py), so the fixed dates hold on any day.
T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def _status(tipoff, now):
    return {d.code: d.status for d in deadlines_for(tipoff, now)}


def test_acceptance_is_due_in_15_days(sample_tipoff_env, sample_jurisdiction):
    tipoff, _ = make_tipoff(sample_jurisdiction, now=T0)
    assert tipoff.acceptance_due_at == T0 + timedelta(days=15)
    assert _status(tipoff, T0 + timedelta(days=14)) == {"acceptance": "open", "closure": "open"}
    late = T0 + timedelta(days=16)
    assert _status(tipoff, late)["acceptance"] == "overdue" and is_overdue(tipoff, late)
    assert overdue(sample_jurisdiction.id, late) == [tipoff]
    assert overdue(sample_jurisdiction.id, T0 + timedelta(days=14)) == []


def test_a_late_acceptance_is_flagged_late(sample_tipoff_env, sample_jurisdiction, sample_users):
    tipoff, _ = make_tipoff(sample_jurisdiction, now=T0)
    perform(tipoff, "accept", sample_users["office"], now=T0 + timedelta(days=20))
    assert _status(tipoff, T0 + timedelta(days=21))["acceptance"] == "late"
    assert overdue(sample_jurisdiction.id, T0 + timedelta(days=21)) == []


def test_closure_in_60_days_and_one_extension(sample_tipoff_env, sample_jurisdiction, sample_users):
    tipoff, _ = make_tipoff(sample_jurisdiction, now=T0)
    perform(tipoff, "accept", sample_users["office"], now=T0 + timedelta(days=2))
    day61 = T0 + timedelta(days=61)
    assert _status(tipoff, day61) == {"acceptance": "met", "closure": "overdue"}
    assert overdue(sample_jurisdiction.id, day61) == [tipoff]
    perform(
        tipoff,
        "extend",
        sample_users["office"],
        ActionData(extension_days=30, reason="跨部门联合核查"),
        now=T0 + timedelta(days=50),
    )
    assert tipoff.closure_due_at == T0 + timedelta(days=90)
    assert not is_overdue(tipoff, day61) and overdue(sample_jurisdiction.id, day61) == []
    assert is_overdue(tipoff, T0 + timedelta(days=91))


def test_an_answered_ticket_is_never_overdue(sample_tipoff_env, sample_jurisdiction, sample_users):
    tipoff, _ = make_tipoff(sample_jurisdiction, now=T0)
    perform(
        tipoff,
        "not_accept",
        sample_users["office"],
        ActionData(reason="不属于受理范围"),
        now=T0 + timedelta(days=3),
    )
    assert overdue(sample_jurisdiction.id, T0 + timedelta(days=100)) == []
    assert _status(tipoff, T0 + timedelta(days=100)) == {"acceptance": "met", "closure": "met"}
