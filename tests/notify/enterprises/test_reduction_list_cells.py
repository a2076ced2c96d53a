"""附件11 transcribed cell by cell (lists/yu_county_2023.json), checked against the appendix
itself (data/fujian11_yu.txt, copied verbatim from seed 000, lines 880–1229): every cell is what
choose() gives an enterprise of that cell, is printed in its industry's row of its level's table,
and carries an action that agrees with its text; spot values written out; the exemption.

Pure data and functions: no database (the conftest's cleaning is switched off below).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notify.enterprises import industries
from notify.enterprises.measures import Action
from notify.enterprises.reduction_lists import choose, micro_eligible, read_bundled
from notify.models import ReductionMeasure

APPENDIX = (Path(__file__).parent / "data" / "fujian11_yu.txt").read_text(encoding="utf-8")
YU = read_bundled("140322")
CELLS = YU["measures"]
NUMERALS = {"III": "Ⅲ", "II": "Ⅱ", "I": "Ⅰ"}


@pytest.fixture(autouse=True)
def _clean_database():
    """These tests read files and call pure functions: no app and no database (overrides the conftest's)."""
    yield


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _table(response: str) -> str:
    """The appendix's table of one response level, from its heading to the next one."""
    start = APPENDIX.index(f"涉气工业源强制性减排措施（{NUMERALS[response]}级）")
    following = [APPENDIX.find(f"涉气工业源强制性减排措施（{n}级）", start + 1) for n in NUMERALS.values()]
    end = min([i for i in following if i > start] or [len(APPENDIX)])
    return APPENDIX[start:end]


def _row(response: str, industry: str) -> str:
    """One industry's row of a table: from its number and name to the next row (or the notes)."""
    table = _table(response)
    name = industries.INDUSTRIES[industry].name_zh
    match = re.search(rf"\n\t(\d+)\n\t{name}\n", table)
    assert match, (response, name)
    following = re.search(rf"\n\t{int(match[1]) + 1}\n\t|\n\t备注", table[match.end() :])
    assert following
    return table[match.start() : match.end() + following.start()]


def _id(cell) -> str:
    return f"{cell['response']}-{cell['industry']}-{cell['subtype'] or '_'}-{cell['grade']}"


def _table_of(cells) -> dict:
    """The file's cells as choose() takes them, as transient rows numbered from 1."""
    return {
        (c["industry"], c["subtype"], c["grade"], c["response"]): ReductionMeasure(
            id=n,
            text_zh=c["text_zh"],
            action=c["action"],
            **{k: c[k] for k in ("industry", "subtype", "grade", "response")},
        )
        for n, c in enumerate(cells, start=1)
    }


TABLE = _table_of(CELLS)


def pick(table=TABLE, *, industry, subtype="", grade, response, exempt_reason=""):
    """choose() with the file's cells and the keywords a test leaves out."""
    return choose(
        table, industry=industry, subtype=subtype, grade=grade, exempt_reason=exempt_reason, response=response
    )


def _cell(response, industry, grade, subtype=""):
    return next(
        c
        for c in CELLS
        if (c["response"], c["industry"], c["grade"], c["subtype"]) == (response, industry, grade, subtype)
    )


# Every cell of the file, against choose() and against the appendix as printed.


@pytest.mark.parametrize("cell", CELLS, ids=_id)
def test_choose_gives_exactly_the_cell(cell):
    choice = pick(
        industry=cell["industry"], subtype=cell["subtype"], grade=cell["grade"], response=cell["response"]
    )
    assert choice.text_zh == cell["text_zh"]
    assert choice.action == cell["action"]
    assert choice.measure_id == CELLS.index(cell) + 1 and not choice.exempt and choice.mandatory


@pytest.mark.parametrize("cell", CELLS, ids=_id)
def test_the_text_is_printed_in_its_industrys_row_of_its_table(cell):
    assert cell["text_zh"] == " ".join(cell["text_zh"].split())  # whitespace normalised, nothing else
    assert _squash(cell["text_zh"]) in _squash(_row(cell["response"], cell["industry"]))


@pytest.mark.parametrize("cell", CELLS, ids=_id)
def test_the_action_agrees_with_the_text(cell):
    text, action = cell["text_zh"], Action.from_dict(cell["action"])
    body = re.sub(r"^[^：]*企业：", "", text)  # the sub-type's own prefix (铸件企业：, 非烧结砖企业： …)
    printed = {float(n) for n in re.findall(r"(\d+)%", text)}
    shares = {s for s in (action.stop_share, action.limit_share) if s is not None and s < 100}
    shares |= {c.limit_share for c in action.conditions if c.limit_share is not None}
    assert printed == shares
    if re.match(r"(全部)?停产(保窑)?([，；。]|$)|所有涉气工序停产|涉气排放工序停产；", body):
        assert action.whole_plant and action.stop_share == 100
    assert (action.limit_share is not None) == ("限产" in body)
    assert action.voluntary == ("鼓励结合实际，自主采取减排措施" in body)
    assert action.refers_to_city_list == body.startswith("以阳泉市重污染天气应急减排清单")
    assert action.kiln_keep_warm == ("保窑" in body)
    if "停止公路运输" in body or "停止运输" in body:
        assert action.trucks == "stop_road"
    elif "停止使用国四及以下重型载货车辆（含燃气）进行运输" in body:
        assert action.trucks == "stop_china4_and_below"
    else:
        assert action.trucks == "none"
    for process in (*action.processes, *action.stop_processes):
        assert process in body
    assert bool(action.conditions) == ("小时" in body)


def test_every_printed_cell_is_in_the_file():
    """Each table: 9 graded industries × 6 columns less the cells printed "——", 铸造 twice over
    (铸件, 铸造用生铁), and 露天开采 and 其他类行业 across A–D."""
    for response in ("III", "II", "I"):
        dashes = _table(response).count("\t——")
        foundry = 4  # A–D once more for the second sub-type
        assert sum(1 for c in CELLS if c["response"] == response) == 9 * 6 - dashes + foundry + 4 + 4
    assert len(CELLS) == 168
    assert {c["industry"] for c in CELLS} == set(industries.INDUSTRIES)


# Spot values, written out.


def test_lime_kiln_c_at_iii_stops_half_its_lines():
    cell = _cell("III", "lime_kiln", "C")
    assert cell["text_zh"].startswith("停产 50%，以生产线计")
    assert cell["action"]["stop_share"] == 50 and cell["action"]["basis"] == "lines"


@pytest.mark.parametrize("response", ["III", "II", "I"])
@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
def test_open_pit_mining_stops_everything_at_every_level_and_grade(response, grade):
    choice = pick(industry="open_pit_mining", grade=grade, response=response)
    assert choice.text_zh == "全部停产"
    assert choice.action == {"stop_share": 100, "basis": "whole_plant"}


def test_open_pit_mining_takes_any_grades_cell():
    only_a = _table_of([c for c in CELLS if c["industry"] == "open_pit_mining" and c["grade"] == "A"])
    assert pick(only_a, industry="open_pit_mining", grade="D", response="II").text_zh == "全部停产"
    # Other industries do not: a grade without its cell has no measure.
    assert pick(only_a, industry="lime_kiln", grade="D", response="II").measure_id is None


def test_foundry_pig_iron_limits_sintering_and_pelletising():
    # As printed, Ⅲ's B column holds one text for every foundry; the pig-iron texts begin in C.
    b = _cell("III", "foundry", "B", "foundry_pig_iron")
    assert b["text_zh"] == "停止使用国四及以下重型载货车辆（含燃气）进行运输。"
    assert b["action"] == {"trucks": "stop_china4_and_below"}
    c = _cell("III", "foundry", "C", "foundry_pig_iron")
    assert c["text_zh"].startswith("铸造用生铁企业：烧结、球团限产25%（含）以上")
    assert c["action"]["limit_share"] == 25 and c["action"]["processes"] == ["烧结", "球团"]
    assert c["action"]["basis"] == "capacity_min"
    assert (
        _cell("III", "foundry", "C", "castings")["text_zh"]
        == "铸件企业：停止使用国四及以下重型载货车辆（含燃气）进行运输。"
    )
    # At Ⅱ the split begins in B: 20 % on the same processes.
    b2 = _cell("II", "foundry", "B", "foundry_pig_iron")
    assert b2["action"]["limit_share"] == 20 and b2["action"]["processes"] == ["烧结", "球团"]


def test_brick_kiln_b_at_ii_has_the_60_hour_condition():
    cell = _cell("II", "brick_tile", "B")
    assert cell["action"]["conditions"] == [
        {"after_hours": 60, "text": "预警响应时间连续超过60 小时，应减少原进窑车量40%", "limit_share": 40}
    ]
    assert cell["action"]["kiln_keep_warm"] and cell["action"]["processes"] == ["破碎", "成型"]


def test_the_sources_slips_are_kept_as_printed():
    leading = _cell("I", "refractory", "leading", "unshaped_refractory")
    assert leading["text_zh"] == "非烧结砖企业：鼓励结合实际，自主采取减排措施。"
    assert any("非烧结砖企业" in note for note in YU["notes"])
    assert "灌装" in _cell("I", "coating_manufacture", "C")["text_zh"]
    assert "罐装" in _cell("I", "coating_manufacture", "D")["text_zh"]


def test_other_industries_follow_the_citys_list():
    choice = pick(industry="other", grade="C", response="I")
    assert choice.text_zh == "以阳泉市重污染天气应急减排清单的应急减排措施为准"
    assert choice.action == {"refers_to_city_list": True}


def test_a_cell_printed_as_a_dash_means_no_mandatory_measure():
    choice = pick(industry="coating_manufacture", grade="B", response="III")
    assert choice.measure_id is None and choice.text_zh == "" and choice.action == {}
    assert not choice.exempt and not choice.mandatory


def test_targets_and_the_exemption_are_data():
    assert YU["targets"] == {"III": 20, "II": 30, "I": 40}
    assert YU["year"] == 2023 and YU["title"] and YU["source"]
    rule = YU["exemption"]
    assert rule["max_kg_per_year"] == 100
    assert rule["single_pollutant"] and rule["no_coal_or_oil"] and rule["no_toxic_or_odorous"]


# The exemption.


def test_an_exempt_enterprise_is_exempt_with_its_reason():
    choice = pick(industry="lime_kiln", grade="exempt", exempt_reason="micro", response="I")
    assert choice.exempt and choice.exempt_reason == "micro"
    assert choice.measure_id is None and choice.text_zh == "" and not choice.mandatory


@pytest.mark.parametrize(
    ("emissions", "eligible"),
    [
        ({"pm": 0.05}, True),
        ({"pm": 0.1}, True),  # 100 kg a year: 以下 includes it
        ({"pm": 0.11}, False),
        ({"so2": 0.02, "pm": 0.03}, False),  # two pollutants: not 组分单一
        ({"vocs": 0.0}, True),
        ({"nox": -1.0}, False),
    ],
)
def test_micro_eligibility(emissions, eligible):
    assert micro_eligible(emissions, YU["exemption"]) is eligible


def test_no_rule_exempts_nobody():
    assert micro_eligible({"pm": 0.01}, {}) is False
    assert read_bundled("130481")["exemption"] == {}


def test_wuans_list_uses_the_transport_rule_and_known_industries():
    data = read_bundled("130481")
    assert data["jurisdiction"] == "130481" and data["illustrative"] is True
    assert all(c["industry"] in industries.INDUSTRIES for c in data["measures"])
    trucks = [c for c in data["measures"] if "日常车辆进出量超过10辆" in c["text_zh"]]
    assert trucks and all(c["action"]["trucks"] == "stop_china4_and_below" for c in trucks)
