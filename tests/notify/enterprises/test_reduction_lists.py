"""The reduction list in the database: a load stores every cell, bad lists are refused with
their reason and nothing written, a new load is a new version and the old one stays as it was,
the bundled list of each jurisdiction, and `flask reduction-list import`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.enterprises.reduction_lists import current_list, load_list, measures_by_key, seed_list
from notify.extensions import db
from notify.models import Jurisdiction, ReductionList
from tests.notify.enterprises.builders import create_enterprise
from tests.notify.enterprises.test_reduction_list_cells import CELLS, YU, pick


def test_load_stores_every_cell(sample_jurisdiction):
    loaded = load_list(sample_jurisdiction, YU)
    db.session.commit()
    assert loaded.version == 1 and loaded.year == 2023 and loaded.targets == {"III": 20, "II": 30, "I": 40}
    assert "非烧结砖企业" in loaded.source  # the notes travel with the source
    table = measures_by_key(current_list(sample_jurisdiction.id))
    assert {k: (m.text_zh, m.action) for k, m in table.items()} == {
        (c["industry"], c["subtype"], c["grade"], c["response"]): (c["text_zh"], c["action"]) for c in CELLS
    }
    # An enterprise of the registry gets its cell through the stored table.
    kiln = create_enterprise(sample_jurisdiction, industry="brick_tile", grade="B")
    choice = pick(table, industry=kiln.industry, subtype=kiln.subtype, grade=kiln.grade, response="II")
    assert choice.measure_id == table[("brick_tile", "", "B", "II")].id
    assert choice.text_zh.startswith("禁止新坯进窑或蹲火保窑")


def _with(**changes):
    data = json.loads(json.dumps(YU))
    data.update(changes)
    return data


def _with_cell(position=0, **changes):
    data = json.loads(json.dumps(YU))
    data["measures"][position].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_with_cell(industry="steel"), "measures[0]: unknown industry 'steel'"),
        (_with_cell(subtype="grinding_station"), "measures[0]: lime_kiln has no sub-type 'grinding_station'"),
        (_with_cell(grade="leading"), "measures[0]: lime_kiln/- cannot hold grade 'leading'"),
        (_with_cell(grade="exempt"), "measures[0]: lime_kiln/- cannot hold grade 'exempt'"),
        (_with_cell(response="IV"), "measures[0]: response 'IV' is not one of III, II, I"),
        (
            _with_cell(action={"stop_share": 150, "basis": "lines"}),
            "measures[0]: stop_share: 150 is outside 0–100",
        ),
        (_with_cell(action={"limit_share": -10, "basis": "capacity_min"}), "measures[0]: limit_share: -10"),
        (_with_cell(text_zh=" "), "measures[0]: text_zh is empty"),
        (_with_cell(grade="B"), "measures[1]: duplicate cell lime_kiln/- B at III"),
        (_with(targets={"III": 120}), "targets.III: 120 is not a percentage"),
        (_with(targets={"IV": 10}), "targets: response 'IV'"),
        (_with(jurisdiction="130481"), "jurisdiction: the list is for 130481, not 140322"),
        (_with(year="2023"), "year: '2023' is not a year"),
        (_with(measures=[]), "measures: the list has no cells"),
        (_with(exemption={"max_kg_per_year": -1}), "exemption.max_kg_per_year"),
        (_with(colour="red"), "unknown field 'colour'"),
    ],
)
def test_bad_lists_are_refused_with_the_reason(sample_jurisdiction, data, reason):
    with pytest.raises(ValueError) as refused:
        load_list(sample_jurisdiction, data)
    assert str(refused.value).startswith(reason)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ReductionList)) == 0


def test_a_response_the_jurisdictions_levels_do_not_have_is_refused(sample_jurisdiction, sample_levels):
    sample_levels["red"].numeral = ""  # this jurisdiction's heavy pollution would stop at Ⅱ
    db.session.flush()
    with pytest.raises(ValueError, match="response I is not a level of this jurisdiction's heavy-pollution"):
        load_list(sample_jurisdiction, YU)


def test_a_new_load_is_a_new_version_and_the_old_one_stays(sample_jurisdiction):
    first = load_list(sample_jurisdiction, YU)
    db.session.commit()
    revised = _with_cell(2, text_zh="停产 60%，以生产线计。", action={"stop_share": 60, "basis": "lines"})
    revised["year"] = 2024
    second = load_list(sample_jurisdiction, revised)
    db.session.commit()
    assert (first.version, second.version) == (1, 2) and first.id != second.id
    assert current_list(sample_jurisdiction.id).id == second.id
    old, new = measures_by_key(first), measures_by_key(second)
    assert old[("lime_kiln", "", "C", "III")].text_zh.startswith("停产 50%")
    assert old[("lime_kiln", "", "C", "III")].action["stop_share"] == 50
    assert new[("lime_kiln", "", "C", "III")].action["stop_share"] == 60
    assert first.year == 2023 and len(old) == len(new) == 168


def test_seed_list_picks_the_bundled_file_by_code_and_loads_it_once(sample_jurisdiction):
    loaded = seed_list(sample_jurisdiction)
    assert loaded is not None and loaded.version == 1 and len(loaded.measures) == 168
    assert seed_list(sample_jurisdiction).id == loaded.id
    assert db.session.scalar(select(func.count()).select_from(ReductionList)) == 1

    wuan = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    wuan_list = seed_list(wuan)
    assert wuan_list.targets == {"III": 10, "II": 20, "I": 30} and wuan_list.exemption == {}
    assert "illustrative" in wuan_list.source

    elsewhere = Jurisdiction(code="110101", name_zh="东城区", name_en="Dongcheng")
    db.session.add(elsewhere)
    db.session.flush()
    assert seed_list(elsewhere) is None


# The import command.


def test_the_import_command_loads_the_next_version(app, sample_jurisdiction, tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps(YU, ensure_ascii=False), encoding="utf-8")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reduction-list", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "version 1" in first.output and "168 cells" in first.output
    second = runner.invoke(args=["reduction-list", "import", str(path), "--jurisdiction", "140322"])
    assert second.exit_code == 0 and "version 2" in second.output

    path.write_text(json.dumps(_with_cell(response="IV"), ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(args=["reduction-list", "import", str(path)])
    assert refused.exit_code != 0 and "response 'IV'" in refused.output
    path.write_text("{not json", encoding="utf-8")
    assert "not a readable JSON file" in runner.invoke(args=["reduction-list", "import", str(path)]).output
    db.session.rollback()
    assert db.session.scalars(select(ReductionList.version).order_by(ReductionList.version)).all() == [1, 2]
