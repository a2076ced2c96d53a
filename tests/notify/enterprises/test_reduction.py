"""The reduction arithmetic: annual / 330 a day, the share an action cuts, lines weighed by their
basis, and the jurisdiction's expected reduction against the list's target."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from notify.enterprises.measures import Action
from notify.enterprises.reduction import cut_fraction, daily_reduction, expected, for_revision
from notify.enterprises.reduction_lists import load_list, read_bundled
from notify.extensions import db
from notify.models import AlertKind, Level, Township
from tests.notify.enterprises.builders import create_enterprise, create_line

YU = read_bundled("140322")


def _close(actual: dict[str, float], wanted: dict[str, float]) -> None:
    assert actual.keys() == {"so2", "nox", "pm", "vocs"}
    for p, v in actual.items():
        assert v == pytest.approx(wanted.get(p, 0.0)), p


# One enterprise: daily_reduction.


def test_a_whole_plant_stop_takes_a_day_of_its_annual_emissions():
    # 33 t a year over 330 days is 0.1 t a day, all of it stopped.
    got = daily_reduction({"so2": 33.0, "nox": 66.0}, [], {"stop_share": 100, "basis": "whole_plant"})
    _close(got, {"so2": 0.1, "nox": 0.2})


def test_half_the_lines_stopped_is_half_the_plant():
    lines = [("煅烧", 500.0), ("煅烧", 300.0)]  # no processes named: the share is of the plant
    _close(daily_reduction({"nox": 66.0}, lines, {"stop_share": 50, "basis": "lines"}), {"nox": 0.1})


def test_a_limit_on_named_processes_falls_on_their_lines_by_basis():
    # 烧结 200 and 球团 200 of 1,000 t/d: 40 % of the plant; 25 % of that is 10 %.
    lines = [("烧结", 200.0), ("球团", 200.0), ("熔炼", 600.0)]
    action = {"limit_share": 25, "basis": "capacity_min", "processes": ["烧结", "球团"]}
    _close(daily_reduction({"pm": 330.0}, lines, action), {"pm": 0.1})


def test_named_processes_no_line_has_are_taken_of_the_whole_plant():
    action = {"limit_share": 25, "basis": "capacity_min", "processes": ["烧结", "球团"]}
    _close(daily_reduction({"pm": 330.0}, [("熔炼", 600.0)], action), {"pm": 0.25})
    _close(daily_reduction({"pm": 330.0}, [], action), {"pm": 0.25})


def test_processes_stopped_besides_a_share():
    # 砖瓦窑 C at Ⅱ: half the lines stop, 破碎、成型 stop on the rest. The crushing line (100)
    # goes entirely, the kiln line (300) by half: (100 + 150) / 400 = 62.5 %.
    action = {"stop_share": 50, "basis": "lines", "stop_processes": ["破碎", "成型"], "kiln_keep_warm": True}
    lines = [("破碎,成型", 100.0), ("焙烧", 300.0)]
    _close(daily_reduction({"pm": 33.0}, lines, action), {"pm": 0.0625})


def test_lines_without_figures_count_equally():
    action = Action(stop_share=100, basis="lines", processes=("喷涂",))
    assert cut_fraction(action, [("喷涂", None), ("焊接", 900.0)]) == pytest.approx(0.5)


def test_a_bracketed_process_name_matches_either_name():
    action = Action(stop_share=100, basis="lines", processes=("涂布（上光）",))
    assert cut_fraction(action, [("上光", 1.0), ("分切", 1.0)]) == pytest.approx(0.5)
    assert cut_fraction(action, [("涂布", 1.0), ("分切", 1.0)]) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "action",
    [
        {"voluntary": True},
        {"refers_to_city_list": True},
        {"trucks": "stop_china4_and_below"},
        {"trucks": "stop_road"},
        {},
    ],
)
def test_voluntary_city_list_and_truck_rules_cut_nothing_industrial(action):
    _close(daily_reduction({"so2": 33.0, "vocs": 10.0}, [("喷涂", 10.0)], action), {})


def test_a_later_condition_is_left_out():
    # 砖瓦窑 B at Ⅱ: 破碎、成型 stop now; the 40 % after 60 h does not count at the start.
    action = YU["measures"][
        [(c["industry"], c["grade"], c["response"]) for c in YU["measures"]].index(("brick_tile", "B", "II"))
    ]["action"]
    lines = [("破碎,成型", 100.0), ("焙烧", 300.0)]
    _close(daily_reduction({"pm": 33.0}, lines, action), {"pm": 0.025})


# The jurisdiction: expected().


@pytest.fixture
def county(sample_jurisdiction):
    """Six enterprises in two townships under Yu's list, with figures that divide by 330."""
    load_list(sample_jurisdiction, YU)
    first, second = db.session.scalars(
        select(Township).where(Township.jurisdiction_id == sample_jurisdiction.id).order_by(Township.code)
    ).all()[:2]
    j = sample_jurisdiction
    # 石灰窑 C at Ⅲ: 停产 50%, 以生产线计 → half of 0.1 SO2, 0.2 NOx, 0.01 PM a day.
    create_enterprise(j, township=first, industry="lime_kiln", grade="C", so2_tpa=33, nox_tpa=66, pm_tpa=3.3)
    # 石灰窑 D: 停产 → all of 0.2 SO2, 0.1 NOx a day.
    create_enterprise(j, township=second, industry="lime_kiln", grade="D", so2_tpa=66, nox_tpa=33, pm_tpa=0)
    # 铸造用生铁 C at Ⅲ: 烧结、球团限产25% on the 烧结 line, whose basis is 200 of 800 t/d
    # (the 球团 line emits nothing) → 25 % × 1/4 of 0.8 NOx a day = 0.05.
    pig = create_enterprise(
        j,
        township=first,
        industry="foundry",
        subtype="foundry_pig_iron",
        grade="C",
        so2_tpa=0,
        nox_tpa=264,
        pm_tpa=0,
    )
    create_line(pig, processes="烧结", capacity_eia=300, capacity_permit=250, capacity_actual=200)
    create_line(pig, processes="熔炼", capacity_eia=600, capacity_permit=600, capacity_actual=None)
    create_line(
        pig, processes="球团", capacity_eia=1000, capacity_permit=1000, capacity_actual=1000, emits=False
    )
    # 小微 exempt: in the baseline (0.05 t a year of PM), nothing cut.
    create_enterprise(
        j,
        township=first,
        industry="lime_kiln",
        grade="exempt",
        exempt_reason="micro",
        so2_tpa=0,
        nox_tpa=0,
        pm_tpa=0.05,
    )
    # 工业涂装 A: 鼓励…自主采取减排措施 → VOCs 0.1 a day, nothing cut.
    create_enterprise(
        j,
        township=first,
        industry="industrial_coating",
        grade="A",
        so2_tpa=0,
        nox_tpa=0,
        pm_tpa=0,
        vocs_tpa=33,
    )
    # Closed down: counts nowhere.
    create_enterprise(
        j, township=first, industry="lime_kiln", grade="D", so2_tpa=3300, nox_tpa=3300, active=False
    )
    db.session.commit()
    return {"jurisdiction": j, "first": first, "second": second}


def test_expected_sums_the_countys_enterprises_against_the_target(county):
    summary = expected(county["jurisdiction"].id, "III")
    assert summary.has_list and summary.list_version == 1 and summary.target == 20
    assert (summary.enterprises, summary.exempt, summary.with_measure) == (5, 1, 3)
    rows = {r.pollutant: r for r in summary.rows}
    # SO2: (33 + 66) / 330 = 0.3 a day; cut 0.05 + 0.2 = 0.25 → 83.3 %.
    assert rows["so2"].baseline == pytest.approx(0.3) and rows["so2"].reduction == pytest.approx(0.25)
    assert rows["so2"].percent == pytest.approx(250 / 3)
    # NOx: (66 + 33 + 264) / 330 = 1.1; cut 0.1 + 0.1 + 0.05 = 0.25 → 22.7 %.
    assert rows["nox"].baseline == pytest.approx(1.1) and rows["nox"].reduction == pytest.approx(0.25)
    # PM: (3.3 + 0.05) / 330; cut 0.005 → 49.3 %.
    assert rows["pm"].baseline == pytest.approx(3.35 / 330) and rows["pm"].reduction == pytest.approx(0.005)
    # VOCs: 0.1 a day, nothing cut: short of 20 %.
    assert rows["vocs"].baseline == pytest.approx(0.1) and rows["vocs"].reduction == 0
    assert rows["vocs"].percent == 0 and rows["vocs"].short
    assert summary.short == ["vocs"]


def test_a_higher_response_has_a_higher_target(county):
    summary = expected(county["jurisdiction"].id, "I")
    assert summary.target == 40
    # At Ⅰ the 石灰窑 C still stops half, the coating plant still only volunteers.
    rows = {r.pollutant: r for r in summary.rows}
    assert rows["so2"].reduction == pytest.approx(0.25) and rows["vocs"].short


def test_townships_narrow_the_sum(county):
    summary = expected(county["jurisdiction"].id, "III", [county["first"].id])
    assert summary.enterprises == 4
    rows = {r.pollutant: r for r in summary.rows}
    # Without the second township's 石灰窑 D: SO2 0.1 a day, 0.05 cut.
    assert rows["so2"].baseline == pytest.approx(0.1) and rows["so2"].reduction == pytest.approx(0.05)
    assert rows["nox"].baseline == pytest.approx(1.0) and rows["nox"].reduction == pytest.approx(0.15)
    assert summary.short == ["nox", "vocs"]


def test_without_a_list_nothing_is_expected(sample_jurisdiction):
    create_enterprise(sample_jurisdiction)
    summary = expected(sample_jurisdiction.id, "II")
    assert not summary.has_list and summary.target is None and summary.short == []
    assert all(r.reduction == 0 for r in summary.rows)


def test_a_pollutant_nobody_emits_is_not_short(county):
    rows = {r.pollutant: r for r in expected(county["jurisdiction"].id, "III", [county["second"].id]).rows}
    assert rows["vocs"].baseline == 0 and rows["vocs"].percent is None and not rows["vocs"].short


def test_the_read_costs_the_same_for_many_enterprises(county):
    j = county["jurisdiction"]
    jurisdiction_id = j.id

    def statements() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            expected(jurisdiction_id, "II")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    few = statements()
    for _ in range(40):
        create_line(create_enterprise(j, industry="cement", grade="B"), processes="熟料")
    db.session.commit()
    assert statements() == few <= 4


def test_the_preview_follows_the_revisions_response_and_area(county, sample_draft):
    summary = for_revision(sample_draft)  # yellow → Ⅲ, the whole county
    assert summary is not None and summary.response == "III" and summary.enterprises == 5

    sample_draft.area_scope = "townships"
    sample_draft.townships = [county["second"]]
    assert for_revision(sample_draft).enterprises == 1

    sample_draft.action = "lift"
    assert for_revision(sample_draft) is None
    sample_draft.action = "issue"
    # Another kind's yellow (an environmental emergency) has a numeral but no industrial list.
    emergency = db.session.scalar(
        select(Level)
        .join(AlertKind)
        .where(AlertKind.code == "environmental_emergency", Level.numeral == "III")
    )
    sample_draft.level = emergency
    assert for_revision(sample_draft) is None
    db.session.rollback()
