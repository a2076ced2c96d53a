"""The structured action of a 附件11 cell: what it holds, how it reads back, what it refuses."""

from __future__ import annotations

import pytest

from notify.enterprises.measures import Action, Condition
from notify.enterprises.reduction_lists import BUNDLED, read_bundled


@pytest.fixture(autouse=True)
def _clean_database():
    """Pure functions: no app and no database (overrides the conftest's)."""
    yield


def test_a_cell_reads_back_as_it_was_written():
    data = {
        "stop_share": 100,
        "basis": "lines",
        "processes": ["破碎", "成型"],
        "trucks": "stop_china4_and_below",
        "kiln_keep_warm": True,
        "conditions": [
            {"after_hours": 60, "text": "预警响应时间连续超过60 小时，应减少原进窑车量40%", "limit_share": 40}
        ],
    }
    action = Action.from_dict(data)
    assert action.stop_share == 100.0 and action.limit_share is None
    assert action.processes == ("破碎", "成型") and action.kiln_keep_warm
    assert action.conditions == (
        Condition(
            text="预警响应时间连续超过60 小时，应减少原进窑车量40%", after_hours=60.0, limit_share=40.0
        ),
    )
    assert action.to_dict() == data
    assert Action.from_dict(action.to_dict()) == action


def test_nothing_to_do_is_an_empty_dict():
    assert Action.from_dict({}) == Action()
    assert Action().to_dict() == {}
    assert Action().share == 0 and not Action().whole_plant


def test_a_whole_plant_stop():
    action = Action.from_dict({"stop_share": 100, "basis": "whole_plant", "trucks": "stop_road"})
    assert action.whole_plant and action.share == 100


@pytest.mark.parametrize("code", sorted(BUNDLED))
def test_every_bundled_action_is_valid_and_canonical(code):
    for cell in read_bundled(code)["measures"]:
        assert Action.from_dict(cell["action"]).to_dict() == cell["action"], cell


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"stop_share": 120, "basis": "lines"}, "stop_share"),
        ({"stop_share": -5, "basis": "lines"}, "stop_share"),
        ({"limit_share": 100.5, "basis": "capacity_min"}, "limit_share"),
        ({"limit_share": "30", "basis": "capacity_min"}, "limit_share"),
        ({"stop_share": True, "basis": "lines"}, "stop_share"),
        ({"stop_share": 50, "limit_share": 30, "basis": "lines"}, "stop_share, limit_share"),
        ({"stop_share": 50, "basis": "per_kiln"}, "basis"),
        ({"stop_share": 50}, "basis"),
        ({"basis": "lines"}, "basis"),
        ({"stop_share": 100, "basis": "whole_plant", "processes": ["烧结"]}, "processes"),
        ({"stop_share": 100, "basis": "lines", "processes": "烧结、球团"}, "processes"),
        ({"stop_share": 100, "basis": "lines", "stop_processes": [""]}, "stop_processes"),
        ({"trucks": "stop_china3"}, "trucks"),
        ({"voluntary": "yes"}, "voluntary"),
        ({"refers_to_city_list": 1}, "refers_to_city_list"),
        ({"kiln_keep_warm": None}, "kiln_keep_warm"),
        ({"conditions": {"after_hours": 60}}, "conditions"),
        ({"conditions": [{"after_hours": 60}]}, "conditions.text"),
        ({"conditions": [{"after_hours": -1, "text": "x"}]}, "conditions.after_hours"),
        ({"conditions": [{"text": "x", "limit_share": 140}]}, "conditions.limit_share"),
        ({"conditions": [{"text": "x", "when": "later"}]}, "conditions"),
        ({"stop": 50}, "action: unknown field 'stop'"),
        (["stop_share", 50], "action"),
    ],
)
def test_bad_data_is_refused_naming_the_field(data, field):
    with pytest.raises(ValueError) as refused:
        Action.from_dict(data)
    assert str(refused.value).startswith(field)


def test_the_constructor_checks_too():
    with pytest.raises(ValueError, match="^limit_share"):
        Action(limit_share=150, basis="capacity_min")
