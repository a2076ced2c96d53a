"""附件6 computed from the record, the §5.4 report drafted from it, both exported; the PDF is
rendered with pdftoppm and looked at as an image."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from openpyxl import load_workbook
from PIL import Image

from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import ResponseSummary
from notify.records import exports, forms, statistics, written_report
from notify.revision_steps import take
from tests.conftest import proposal, take_to

UTC = UTC


def response(kind, levels, users, start, *, upgrade_at=None, lift_at=None, exercise=False):
    """A warning through the real lifecycle: issued at `start`, maybe upgraded, maybe lifted."""
    with freeze_time(start - timedelta(hours=1)):
        first = propose_issue(
            kind,
            proposal(levels["yellow"], response_start_at=start, primary_pollutant="PM2.5"),
            users["office"],
            exercise=exercise,
        )
        db.session.commit()
        take_to(first, "approved", users)
    with freeze_time(start):
        take(first, "publish", users["office"])
        db.session.commit()
    if upgrade_at:
        with freeze_time(upgrade_at - timedelta(minutes=30)):
            up = propose_change(
                first.warning,
                "upgrade",
                proposal(levels["orange"], response_start_at=upgrade_at),
                users["office"],
            )
            db.session.commit()
            take_to(up, "approved", users)
        with freeze_time(upgrade_at):
            take(up, "publish", users["office"])
            db.session.commit()
    if lift_at:
        with freeze_time(lift_at - timedelta(minutes=30)):
            lift = propose_change(
                first.warning, "lift", proposal(levels["yellow"], response_start_at=None), users["office"]
            )
            db.session.commit()
            take_to(lift, "approved", users)
        with freeze_time(lift_at):
            take(lift, "publish", users["office"])
            db.session.commit()
    return first.warning


def test_statistics_to_the_hour_with_year_and_kind_totals(sample_kind, sample_levels, sample_users):
    a = response(
        sample_kind,
        sample_levels,
        sample_users,
        datetime(2026, 1, 10, 2, 20, tzinfo=UTC),
        lift_at=datetime(2026, 1, 12, 5, 50, tzinfo=UTC),
    )
    b = response(
        sample_kind,
        sample_levels,
        sample_users,
        datetime(2026, 11, 23, 0, 40, tzinfo=UTC),
        upgrade_at=datetime(2026, 11, 24, 3, 10, tzinfo=UTC),
        lift_at=datetime(2026, 11, 26, 1, 5, tzinfo=UTC),
    )
    response(
        sample_kind, sample_levels, sample_users, datetime(2026, 11, 27, 0, 0, tzinfo=UTC), exercise=True
    )
    first = statistics.for_warning(a)
    # 10:20 → 10:00 and 13:50 → 13:00 local: 51 whole hours between the printed hours.
    assert first.hours == 51 and (first.cumulative_hours, first.cumulative_count) == (51, 1)
    second = statistics.for_warning(b, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert second.level_text == "黄色预警（Ⅲ级响应） → 橙色预警（Ⅱ级响应）"
    assert [p.hours for p in second.periods] == [27, 46]
    assert second.hours == 73 and not second.ongoing
    assert (second.cumulative_hours, second.cumulative_count) == (51 + 73, 2)  # the exercise counts nowhere
    doc = forms.statistics_form(b, now=datetime(2026, 12, 1, tzinfo=UTC))
    rows = dict(doc.rows)
    assert rows["响应开始时间"] == "2026年11月23日08时" and rows["响应结束时间"] == "2026年11月26日09时"
    assert rows["累计响应次数"].startswith("2次")


def test_an_ongoing_response_counts_up_to_now(sample_kind, sample_levels, sample_users):
    w = response(sample_kind, sample_levels, sample_users, datetime(2026, 11, 23, 0, 0, tzinfo=UTC))
    stats = statistics.for_warning(w, now=datetime(2026, 11, 23, 5, 59, tzinfo=UTC))
    assert stats.ongoing and stats.end is None and stats.hours == 5
    assert (
        dict(forms.statistics_form(w, now=datetime(2026, 11, 23, 5, 59, tzinfo=UTC)).rows)["响应结束时间"]
        == "（响应中）"
    )


def test_written_report_drafted_from_the_record(sample_kind, sample_levels, sample_users):
    w = response(
        sample_kind,
        sample_levels,
        sample_users,
        datetime(2026, 11, 23, 0, 40, tzinfo=UTC),
        upgrade_at=datetime(2026, 11, 24, 3, 10, tzinfo=UTC),
    )
    db.session.add(ResponseSummary(warning_id=w.id, effects="PM2.5浓度较预测值下降约12%。"))
    db.session.commit()
    title, body = written_report.draft(w, now=datetime(2026, 11, 25, tzinfo=UTC))
    assert title == "关于盂县重污染天气橙色预警Ⅱ级响应应急响应情况的报告"
    for expected in (
        "2026年11月23日08时40分",
        "首要污染物为PM2.5",
        "升级为橙色预警（Ⅱ级响应）",
        "本年度第1次",
        "一、预警级别及变化情况",
        "二、采取的应急响应措施",
        "三、取得的效果",
        "PM2.5浓度较预测值下降约12%",
    ):
        assert expected in body


def _render(pdf: bytes, tmp_path) -> Image.Image:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    [png] = sorted(tmp_path.glob("page*.png"))
    return Image.open(png)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()


def test_statistics_export_xlsx_and_pdf(sample_kind, sample_levels, sample_users, tmp_path):
    w = response(
        sample_kind,
        sample_levels,
        sample_users,
        datetime(2026, 11, 23, 0, 40, tzinfo=UTC),
        lift_at=datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
    )
    doc = forms.statistics_form(w)
    sheet = load_workbook(io.BytesIO(exports.xlsx(doc))).active
    assert sheet["A1"].value == "盂县重污染天气应急响应统计表"
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert values["持续响应时间"] == "25小时" and values["响应级别"] == "黄色预警（Ⅲ级响应）"
    pdf = exports.pdf(doc)
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf  # the CJK font is embedded
    page = _render(pdf, tmp_path)
    assert page.size == (414, 585)  # A4 (595 × 842 pt) at 50 dpi, rounded up by pdftoppm
    grey = page.convert("L")
    dark = sum(grey.histogram()[:128])
    assert dark > 2000  # the title, the grid and the text are drawn, not a blank page
    # The top band holds the title, centred: ink on both sides of the middle, none at the margins.
    title_band = grey.crop((0, 30, 414, 60))
    columns = [x for x in range(414) if any(title_band.getpixel((x, y)) < 128 for y in range(30))]
    assert columns and columns[0] > 60 and columns[-1] < 354
    text = _text(pdf, tmp_path)
    for expected in (
        "盂县重污染天气应急响应统计表",
        "响应开始时间",
        "2026年11月23日08时",
        "25小时",
        "填表人",
    ):
        assert expected in text


def test_pdf_without_a_cjk_font_on_the_machine_names_the_standard_chinese_font(
    sample_kind, sample_levels, sample_users, tmp_path, monkeypatch
):
    # A fresh machine without fonts-wqy-zenhei: the export still works, in the Adobe-GB1 font
    # that readers supply, and the text is still Chinese text (not boxes) for a reader.
    monkeypatch.setattr(exports, "FONT_CANDIDATES", [str(tmp_path / "no-such-font.ttc")])
    w = response(sample_kind, sample_levels, sample_users, datetime(2026, 11, 23, 0, 40, tzinfo=UTC))
    pdf = exports.pdf(forms.statistics_form(w))
    assert pdf.startswith(b"%PDF-") and b"/STSong-Light" in pdf and b"/FontFile2" not in pdf
    assert "盂县重污染天气应急响应统计表" in _text(pdf, tmp_path)


def test_written_report_pdf_holds_the_whole_text(sample_kind, sample_levels, sample_users, tmp_path):
    w = response(sample_kind, sample_levels, sample_users, datetime(2026, 11, 23, 0, 40, tzinfo=UTC))
    title, body = written_report.draft(w)
    from notify.models import WrittenReport

    report = WrittenReport(warning=w, title=title, body=body, drafted_at=datetime.now(UTC))
    pdf = exports.pdf(forms.written_report_form(report))
    text = _text(pdf, tmp_path).replace("\n", "")
    assert "关于盂县重污染天气黄色预警" in text and "三、取得的效果" in text
    page = _render(pdf, tmp_path)
    assert sum(page.convert("L").histogram()[:128]) > 1000
