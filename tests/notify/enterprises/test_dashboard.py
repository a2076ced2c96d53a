"""The enterprise duty dashboard's figures per township: sent, received, in place, overdue and the
reduction confirmed so far, read at instants given explicitly (the scene clock is frozen, and each
test passes `now` so that the deadline is crossed exactly where it says)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from notify.enterprises import dashboard
from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models.deliveries import Status
from tests.conftest import proposal, take_to
from tests.notify.enterprises.builders import create_enterprise
from tests.notify.enterprises.dashboard_builders import DUE, T0, create_duty, create_scene


def test_counts_per_township_and_in_total(sample_duty_revision, sample_duty_towns, sample_duty_scene):
    rows, total = dashboard.by_township(sample_duty_revision, DUE + timedelta(minutes=30))
    t1, t2 = sample_duty_towns
    assert [r.township_id for r in rows] == [t1.id, t2.id]
    one, two = rows
    assert one.counts == {
        "enterprises": 2,
        "ordered": 2,
        "exempt": 0,
        "delivered": 1,
        "not_reached": 1,
        "in_flight": 0,
        "received": 2,
        "in_place": 1,
        "late": 0,
        "overdue": 1,
        "awaiting": 0,
    }
    assert (two.counts["enterprises"], two.counts["ordered"], two.counts["exempt"]) == (2, 1, 1)
    assert (two.counts["in_place"], two.counts["late"], two.counts["overdue"]) == (1, 1, 0)
    assert (two.counts["delivered"], two.counts["in_flight"], two.counts["received"]) == (1, 1, 0)
    assert total.counts["enterprises"] == 4 and total.counts["overdue"] == 1
    assert total.counts["in_place"] == 2 and total.counts["not_reached"] == 1


def test_reduction_expected_and_confirmed_per_pollutant(
    sample_duty_revision, sample_duty_towns, sample_duty_scene
):
    rows, total = dashboard.by_township(sample_duty_revision, DUE)
    one, two = rows
    assert one.expected == pytest.approx({"so2": 4.0, "nox": 3.0, "pm": 1.0, "vocs": 0.0})
    assert one.confirmed == pytest.approx({"so2": 1.0, "nox": 2.0, "pm": 0.5, "vocs": 0.0})
    assert (one.share("so2"), one.share("nox"), one.share("pm"), one.share("vocs")) == (
        25.0,
        66.7,
        50.0,
        None,
    )
    # The exempt enterprise's empty reduction adds nothing; the late one counts once in place.
    assert two.expected == pytest.approx({"so2": 0.0, "nox": 1.0, "pm": 1.0, "vocs": 0.4})
    assert two.confirmed == two.expected
    assert total.expected == pytest.approx({"so2": 4.0, "nox": 4.0, "pm": 2.0, "vocs": 0.4})
    assert total.confirmed == pytest.approx({"so2": 1.0, "nox": 3.0, "pm": 1.5, "vocs": 0.4})
    data = total.as_dict()
    assert data["expected_nox"] == 4.0 and data["confirmed_nox"] == 3.0 and data["percent_nox"] == 75.0
    assert data["percent_so2"] == 25.0 and data["name_en"] == "Total"


def test_overdue_flips_exactly_at_the_deadline(sample_duty_revision, sample_duty_towns, sample_duty_scene):
    """Due at 14:00 means in place by 14:00: still on time at the instant, overdue just after."""

    def overdue(now):
        return dashboard.by_township(sample_duty_revision, now)[1].counts

    before, at, after = (
        overdue(DUE - timedelta(seconds=1)),
        overdue(DUE),
        overdue(DUE + timedelta(microseconds=1)),
    )
    assert (before["overdue"], before["awaiting"]) == (0, 1)
    assert (at["overdue"], at["awaiting"]) == (0, 1)
    assert (after["overdue"], after["awaiting"]) == (1, 0)
    assert [d["name"] for d in dashboard.overdue_enterprises(sample_duty_revision, DUE)] == []
    assert [
        d["name"] for d in dashboard.overdue_enterprises(sample_duty_revision, DUE + timedelta(seconds=1))
    ] == ["乙石灰厂"]


def test_the_overdue_list_of_a_township_gives_whom_to_call(
    sample_duty_revision, sample_duty_towns, sample_duty_scene
):
    t1, t2 = sample_duty_towns
    later = DUE + timedelta(hours=1)
    [line] = dashboard.overdue_enterprises(sample_duty_revision, later, t1.id)
    assert (
        line["name"] == "乙石灰厂"
        and line["phone"] == sample_duty_scene["b"].phone
        and line["contact"] == "环保专员"
    )
    assert line["sms_status"] == Status.UNDELIVERED and line["error_code"] == "MK:0001" and line["overdue"]
    assert dashboard.overdue_enterprises(sample_duty_revision, later, t2.id) == []


def test_one_township_and_the_lines_filters(sample_duty_revision, sample_duty_towns, sample_duty_scene):
    t1, t2 = sample_duty_towns
    now = DUE + timedelta(minutes=30)
    rows, total = dashboard.by_township(sample_duty_revision, now, t2.id)
    assert [r.township_id for r in rows] == [t2.id] and total.counts["enterprises"] == 2
    lines = dashboard.duties(sample_duty_revision, now)
    assert [d["township_id"] for d in lines] == [t1.id, t1.id, t2.id, t2.id]
    assert lines[-1]["name"] == "丁供热站"  # the exemption, due at no time, after the duties
    late = next(d for d in lines if d["name"] == "丙铸造厂")
    assert late["late"] and not late["overdue"] and late["sms_status"] == Status.SENT
    names = {
        only: sorted(d["name"] for d in dashboard.duties(sample_duty_revision, now, only=only))
        for only in dashboard.FILTERS
    }
    assert names == {
        "overdue": ["乙石灰厂"],
        "awaiting": [],
        "in_place": ["丙铸造厂", "甲石灰厂"],
        "exempt": ["丁供热站"],
        "not_reached": ["乙石灰厂"],
    }
    assert [
        d["name"] for d in dashboard.duties(sample_duty_revision, now, township_id=t2.id, only="in_place")
    ] == ["丙铸造厂"]
    assert dashboard.duty_count(sample_duty_revision) == 4


def test_a_later_revision_shows_the_duties_it_did_not_write_again(
    sample_duty_revision, sample_duty_towns, sample_jurisdiction, sample_users, sample_levels
):
    """An upgrade that orders A anew (superseding A's first duty) still shows B, C and D, whose
    first duties stay in force; the first revision's own page keeps its own four duties."""
    with freeze_time(T0 + timedelta(minutes=30)):
        upgrade = propose_change(
            sample_duty_revision.warning,
            "upgrade",
            proposal(sample_levels["orange"], response_start_at=T0 + timedelta(hours=1)),
            sample_users["office"],
        )
        db.session.commit()
    with freeze_time(T0 + timedelta(hours=1)):
        take_to(upgrade, "published", sample_users)
    sample_duty_scene = create_scene(sample_duty_revision, sample_duty_towns, sample_jurisdiction)
    sample_duty_scene["a"].superseded_at = upgrade.published_at
    again = create_duty(
        upgrade,
        sample_duty_scene["a"].enterprise,
        response="II",
        text_zh="停产",
        reduction={"so2": 2.0, "nox": 4.0, "pm": 1.0, "vocs": 0.0},
    )
    db.session.commit()
    now = DUE + timedelta(minutes=30)
    _rows, total = dashboard.by_township(upgrade, now)
    assert total.counts["enterprises"] == 4 and total.counts["in_place"] == 1  # C's; A not yet again
    assert total.counts["overdue"] == 1  # B, on its first duty
    assert total.expected["so2"] == pytest.approx(2.0 + 3.0)
    lines = {d["name"]: d for d in dashboard.duties(upgrade, now)}
    assert (
        lines["甲石灰厂"]["duty_id"] == again.id
        and lines["乙石灰厂"]["revision_id"] == sample_duty_revision.id
    )
    assert dashboard.duty_count(upgrade) == 4
    _rows, first = dashboard.by_township(sample_duty_revision, now)
    assert first.counts["enterprises"] == 4 and first.counts["in_place"] == 2  # as it stood


def test_an_enterprise_whose_cell_holds_no_measure_is_told_but_not_ordered(
    sample_duty_revision, sample_duty_towns, sample_duty_scene, sample_jurisdiction
):
    """A cell of the list left empty (其他类行业 without a plan): the enterprise hears of the
    warning, has nothing to confirm, and is neither ordered nor ever overdue."""
    other = create_enterprise(sample_jurisdiction, township=sample_duty_towns[0], industry="other")
    create_duty(sample_duty_revision, other, text_zh="", action={}, reduction={}, requires_ack=False)
    db.session.commit()
    rows, total = dashboard.by_township(sample_duty_revision, DUE + timedelta(hours=3))
    assert (total.counts["enterprises"], total.counts["ordered"], total.counts["overdue"]) == (5, 3, 1)
    assert total.counts["exempt"] == 1 and total.counts["awaiting"] == 0


def test_a_revision_without_duties_has_empty_figures(sample_duty_revision):
    rows, total = dashboard.by_township(sample_duty_revision, DUE)
    assert rows == [] and total.counts["enterprises"] == 0 and total.share("so2") is None
    assert dashboard.duty_count(sample_duty_revision) == 0
