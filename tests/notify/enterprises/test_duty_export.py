"""The ecology bureau's XLSX of one revision's enterprise duties, opened with openpyxl: a summary
per township with the reduction, a row per duty, times in Yu County's zone, no live formula.
Published on a frozen clock (duty_builders.T0) and exported at an instant given explicitly."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from notify.enterprises import export
from notify.extensions import db
from tests.notify.enterprises.dashboard_builders import DUE

TZ = ZoneInfo("Asia/Shanghai")


def _book(revision, now):
    return load_workbook(io.BytesIO(export.xlsx(revision, TZ, now)))


def test_summary_sheet_per_township_with_the_reduction(
    sample_duty_revision, sample_duty_scene, sample_jurisdiction
):
    summary, _detail = _book(sample_duty_revision, DUE + timedelta(minutes=30)).worksheets
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][0].startswith(sample_duty_revision.headline_zh)
    assert rows[1][1] == "2026-11-23 12:00:00" and rows[1][3] == "2026-11-23 14:30:00"
    assert list(rows[3]) == export.summary_header()
    t1, t2 = sample_jurisdiction.townships[:2]
    one, two, total = rows[4], rows[5], rows[6]
    assert (one[0], two[0], total[0]) == (t1.name_zh, t2.name_zh, "合计")
    # enterprises, ordered, exempt, delivered, not reached, received, in place, late, overdue, not yet due
    assert one[1:11] == (2, 2, 0, 1, 1, 2, 1, 0, 1, 0)
    assert two[1:11] == (2, 1, 1, 1, 0, 0, 1, 1, 0, 0)
    # Expected SO2, NOx, PM, VOCs; confirmed; confirmed in percent ("" where none was expected).
    assert total[11:15] == pytest.approx((4.0, 4.0, 2.0, 0.4))
    assert total[15:19] == pytest.approx((1.0, 3.0, 1.5, 0.4))
    assert total[19:23] == (25.0, 75.0, 75.0, 100.0)
    assert one[22] in ("", None)
    assert summary.cell(5, 12).number_format == "0.000"


def test_a_row_per_duty(sample_duty_revision, sample_duty_scene):
    _summary, detail = _book(sample_duty_revision, DUE + timedelta(minutes=30)).worksheets
    rows = list(detail.iter_rows(values_only=True))
    assert list(rows[0]) == export.duty_header() and len(rows) == 5
    by_name = {r[1]: r for r in rows[1:]}
    a = by_name["甲石灰厂"]
    enterprise = sample_duty_scene["a"].enterprise
    assert a[2] == enterprise.credit_code and a[3] == "石灰窑"
    assert a[5] == "停产50%，以生产线计" and a[7] == enterprise.env_officer_phone
    assert (a[9], a[10], a[11]) == ("2026-11-23 14:00:00", "2026-11-23 12:05:00", "2026-11-23 12:50:00")
    assert a[12] == "1号窑已停" and a[13] in ("", None)
    assert a[14:18] == pytest.approx((1.0, 2.0, 0.5, 0.0))
    b, c = by_name["乙石灰厂"], by_name["丙铸造厂"]
    assert b[11] in ("", None) and b[13] not in ("", None)  # overdue
    assert c[13] not in ("", None) and c[13] != b[13]  # in place, but late
    assert by_name["丁供热站"][9] in ("", None)  # an exemption is due at no time


def test_an_overdue_flag_follows_the_export_instant(sample_duty_revision, sample_duty_scene):
    rows = {
        r[1]: r for r in _book(sample_duty_revision, DUE).worksheets[1].iter_rows(min_row=2, values_only=True)
    }
    assert rows["乙石灰厂"][13] in ("", None)  # at the deadline itself, still on time


def test_text_typed_by_an_enterprise_stays_text(sample_duty_revision, sample_duty_scene):
    sample_duty_scene["a"].in_place_note = '=HYPERLINK("http://evil","点此")'
    db.session.commit()
    rows = {
        r[1]: r for r in _book(sample_duty_revision, DUE).worksheets[1].iter_rows(min_row=2, values_only=True)
    }
    assert rows["甲石灰厂"][12] == '\'=HYPERLINK("http://evil","点此")'
    assert rows["甲石灰厂"][7].startswith("+86")  # a phone number is left as it is
