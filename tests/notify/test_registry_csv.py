"""The one CSV importer of every registry (notify.registry_csv), exercised through a small spec of
its own: encodings, header aliases, errors by line, all or nothing, the row limit, upserts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify import registry_csv
from notify.extensions import db
from notify.models import EnterpriseContact


def _parse(row: dict[str, str], _lookups) -> dict | str:
    if not row.get("phone", "").isdigit():
        return f"bad phone {row.get('phone', '')}"
    return {"name": row.get("name", ""), "phone": row["phone"]}


SPEC = registry_csv.RegistrySpec(
    name="contacts",
    model=EnterpriseContact,
    columns=("name", "phone"),
    required=("name", "phone"),
    aliases={"姓名": "name", "联系人": "name", "电话": "phone", "mobile": "phone"},
    parse=_parse,
    key=("phone",),
    duplicate=lambda phone, line: f"{phone} again, first on line {line}",
    max_rows=3,
    scope=lambda j: {"jurisdiction_id": j.id, "township_id": None},
    timestamps=False,
)


def _contacts() -> dict[str, str]:
    return dict(db.session.execute(select(EnterpriseContact.phone, EnterpriseContact.name)).all())


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "gbk", "gb18030"],
)
def test_utf8_with_or_without_bom_and_gbk_files_read_alike(sample_jurisdiction, encoding):
    raw = "姓名,电话\n王环保,1001\n李环保,1002\n".encode(encoding)
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, raw)
    assert report.errors == [] and (report.added, report.updated) == (2, 0)
    assert _contacts() == {"1001": "王环保", "1002": "李环保"}


def test_headers_may_be_chinese_english_any_case_or_carry_a_unit(sample_jurisdiction):
    raw = "Mobile（号码）, 联系人 \n1001,王\n".encode()
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, raw)
    assert report.errors == [] and _contacts() == {"1001": "王"}
    assert SPEC.column("NAME") == "name" and SPEC.column("电话 (手机)") == "phone"


def test_every_bad_line_is_named_in_file_order_and_nothing_is_written(sample_jurisdiction):
    # Line 4 is empty and line 6 holds a cell over two lines: the numbers stay the file's own.
    raw = 'name,phone\n甲,1001\n乙,x\n\n丙,1001\n"丁\n丁",y\n'.encode()
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, raw, max_rows=10)
    assert report.errors == [(3, "bad phone x"), (5, "1001 again, first on line 2"), (7, "bad phone y")]
    assert (report.added, report.updated) == (0, 0) and _contacts() == {}


def test_a_missing_column_is_named_with_its_chinese_header(sample_jurisdiction):
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, "姓名\n甲\n".encode())
    assert [line for line, _ in report.errors] == [1] and "phone (电话)" in report.errors[0][1]


def test_a_file_that_is_not_text_is_refused_at_line_0(sample_jurisdiction):
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, b"\xff\xfe\x00\x00\x81\x30")
    assert report.errors and report.errors[0][0] == 0


def test_rows_past_the_limit_are_refused_at_the_first_line_over(sample_jurisdiction):
    raw = "name,phone\n甲,1001\n乙,1002\n丙,1003\n丁,1004\n".encode()
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, raw)
    assert [line for line, _ in report.errors] == [5] and "3" in report.errors[0][1]
    assert _contacts() == {}
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, raw, max_rows=4)
    assert report.errors == [] and report.added == 4


def test_importing_again_updates_by_the_natural_key(sample_jurisdiction):
    registry_csv.import_csv(SPEC, sample_jurisdiction, "name,phone\n甲,1001\n乙,1002\n".encode())
    db.session.commit()
    report = registry_csv.import_csv(SPEC, sample_jurisdiction, "name,phone\n甲二,1001\n丙,1003\n".encode())
    assert report.errors == [] and (report.added, report.updated) == (1, 1)
    assert _contacts() == {"1001": "甲二", "1002": "乙", "1003": "丙"}
    assert db.session.scalar(select(func.count()).select_from(EnterpriseContact)) == 3


def test_every_registry_uses_the_one_importer():
    from notify import audience_csv
    from notify.enterprises import registry as enterprises
    from notify.schools import registry as schools

    specs = [audience_csv.SPEC, schools.SPEC, enterprises.SPEC, enterprises.LINES_SPEC]
    assert all(isinstance(s, registry_csv.RegistrySpec) for s in specs)
    assert audience_csv.ImportReport is schools.ImportReport is registry_csv.ImportReport
