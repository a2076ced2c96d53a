"""The shared CSV reader of recipient and school imports: blank rows skipped, a row limit named
by its first line over, nothing stored when a file is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from notify import audience_csv
from notify.extensions import db
from notify.models import AudienceGroup, Recipient, School
from notify.schools import registry


def _group(code: str) -> AudienceGroup:
    return db.session.scalars(select(AudienceGroup).where(AudienceGroup.code == code)).one()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_blank_rows_are_skipped_and_keep_the_line_numbers_of_the_file(sample_jurisdiction):
    raw = "name,phone\n甲,13903533100\n,\n \n乙,12345\n".encode()
    report = audience_csv.import_csv(_group("media"), raw)
    assert [line for line, _ in report.errors] == [5]
    assert _count(Recipient) == 0


def test_recipients_past_the_row_limit_are_refused_at_the_first_line_over(sample_jurisdiction, monkeypatch):
    monkeypatch.setattr(audience_csv, "MAX_ROWS", 2)
    raw = "name,phone\n甲,13903533100\n乙,13903533101\n丙,13903533102\n".encode()
    report = audience_csv.import_csv(_group("media"), raw)
    assert [line for line, _ in report.errors] == [4] and "2" in report.errors[0][1]
    assert (report.added, report.updated) == (0, 0) and _count(Recipient) == 0


def test_schools_past_the_row_limit_are_refused_at_the_first_line_over(sample_jurisdiction, monkeypatch):
    monkeypatch.setattr(registry, "MAX_ROWS", 1)
    raw = (
        "学校代码,学校名称,类型,乡镇,校长电话\n"
        "1403220001,盂县第一中学校,高中,秀水镇,13903540001\n"
        "1403220002,孙家庄镇中心幼儿园,幼儿园,孙家庄镇,13903540002\n"
    ).encode()
    report = registry.import_csv(sample_jurisdiction, raw)
    assert [line for line, _ in report.errors] == [3] and "1" in report.errors[0][1]
    assert _count(School) == 0
