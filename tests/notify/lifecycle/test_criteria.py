"""Level criteria are data: Wu'an's thresholds differ from Yu County's and need no code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notify.demo.loader import DATA_DIR, DataError, load_jurisdiction, read
from notify.extensions import db
from notify.lifecycle.criteria import RuleError, hours_above, suggest_for_kind, validate_rule
from notify.models import AlertKind


def _heavy_pollution(j):
    return db.session.scalar(
        select(AlertKind).where(AlertKind.jurisdiction_id == j.id, AlertKind.code == "heavy_pollution")
    )


def test_hours_above_counts_the_longest_run():
    assert hours_above([210, 220, 100, 230], 200) == 48
    assert hours_above([200, 200], 200) == 0  # strictly above


@pytest.mark.parametrize(
    ("forecast", "yu", "wuan"),
    [
        ([160, 170, 120], "yellow", None),  # Yu: AQI > 200 for 24 h or > 150 for 48 h
        ([160, 120], None, None),
        ([210, 150], "yellow", None),
        ([210, 220, 140], "orange", "yellow"),  # Yu: > 200 for 48 h; Wu'an: > 200 for 2 days
        ([210, 220, 230, 100], "orange", "orange"),
        ([210, 320, 230, 100], "red", "orange"),  # Yu: > 200 for 72 h and > 300 for 24 h
        ([210, 320, 330, 230, 100], "red", "red"),  # Wu'an: > 200 for 96 h and > 300 for 48 h
        ([120, 500], "yellow", "red"),  # Wu'an: daily AQI reaching 500 is red at once
        ([100, 120], None, None),
    ],
)
def test_same_forecast_different_jurisdictions(forecast, yu, wuan, app):
    yu_j = load_jurisdiction(read(DATA_DIR / "yu_county.json"))
    wuan_j = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    db.session.commit()
    got_yu = suggest_for_kind(_heavy_pollution(yu_j), forecast)
    got_wuan = suggest_for_kind(_heavy_pollution(wuan_j), forecast)
    assert (got_yu.code if got_yu else None) == yu
    assert (got_wuan.code if got_wuan else None) == wuan


def test_criteria_text_is_stored_with_each_level(app):
    yu = load_jurisdiction(read(DATA_DIR / "yu_county.json"))
    wuan = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    yu_red = next(lv for lv in _heavy_pollution(yu).levels if lv.code == "red")
    wuan_red = next(lv for lv in _heavy_pollution(wuan).levels if lv.code == "red")
    assert "300" in yu_red.criteria_zh and "72" in yu_red.criteria_zh
    assert "500" in wuan_red.criteria_zh and yu_red.criteria_zh != wuan_red.criteria_zh
    assert wuan_red.criteria_en and yu_red.approver_role == wuan_red.approver_role == "commander"


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"aqi_above": "200"},
        {"any": []},
        {"all": [{"pm25": 75}]},
        {"aqi_above": 200, "days": 2},
        [1, 2],
    ],
)
def test_malformed_rules_are_refused(rule):
    with pytest.raises(RuleError):
        validate_rule(rule)


def test_a_jurisdiction_file_with_errors_is_refused(app):
    data = read(DATA_DIR / "wuan.json")
    data["alert_kinds"][0]["levels"][0]["approver_role"] = "mayor"
    with pytest.raises(DataError):
        load_jurisdiction(data)
    db.session.rollback()
    data = read(DATA_DIR / "wuan.json")
    del data["alert_kinds"][0]["levels"][0]["colour"]
    with pytest.raises(DataError):
        load_jurisdiction(data)
