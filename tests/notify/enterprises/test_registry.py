"""The enterprise registry's CSV imports (enterprises, then their production lines): each refused
line named with its reason, nothing written when any line is wrong, Chinese sheets in GBK, and
re-imports that update by credit code (lines by enterprise and name)."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from notify.enterprises import registry
from notify.enterprises.credit_code import check_character
from notify.extensions import db
from notify.models import Enterprise, ProductionLine, Robot
from tests.notify.enterprises.builders import credit_code

HEADER = "credit_code,name,township,industry,subtype,grade,exempt_reason,so2,nox,pm,vocs,env_officer_phone"
HEADER_ZH = (
    "统一社会信用代码,企业名称,乡镇,地址,纬度,经度,行业,子类,绩效分级,豁免原因,"
    "SO2(t/a),NOx(t/a),PM(t/a),VOCs(t/a),年运输量(t/a),运输车辆排放标准,法定代表人,环保负责人,环保负责人电话"
)
LINES_HEADER = "统一社会信用代码,生产线,工序,涉气,环评批复产能,排污许可产能,上年实际产量,单位"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


_phones = itertools.count(1001)


def _row(
    code: str,
    *,
    name="盂县甲石灰有限公司",
    industry="石灰窑",
    subtype="",
    grade="B",
    reason="",
    so2="10",
    phone: str | None = None,
):
    phone = phone or f"1390355{next(_phones):04d}"
    return f"{code},{name},秀水镇,{industry},{subtype},{grade},{reason},{so2},20,5,0,{phone}"


def _import(j, *rows: str):
    return registry.import_csv(j, "\n".join([HEADER, *rows]).encode())


def _bad_check_character(code: str) -> str:
    wrong = next(c for c in "0123456789" if c != code[17])
    return code[:17] + wrong


def test_a_chinese_sheet_in_gbk_is_imported_with_every_field(sample_jurisdiction):
    a, b, c = credit_code(), credit_code(), credit_code()
    text = "\n".join(
        [
            HEADER_ZH,
            f"{a},盂县宏达石灰有限公司,秀水镇,盂县秀水镇东关村1号,38.0861,113.4123,石灰窑,,B级,,"
            "12.5,30.2,8.1,0,150000,国五,张三,李四,139 0355 1001",
            f"{b},盂县鑫源新型建材有限公司,140322103,,,,砖瓦窑,非烧结砖,引领性,,0,0,2.5,0,40000,电动,王五,赵六,13903551002",
            f"{c.lower()},盂县集中供热有限公司,南娄镇,,,,其他类行业,,豁免,以热定产,60,90,12,0,300000,国六,,,+86-139-0355-1003",
        ]
    )
    report = registry.import_csv(sample_jurisdiction, text.encode("gbk"))
    assert report.errors == [] and (report.added, report.updated) == (3, 0)
    db.session.commit()
    found = {e.credit_code: e for e in db.session.scalars(select(Enterprise))}
    lime = found[a]
    assert (lime.name, lime.township.name_zh, lime.industry, lime.subtype, lime.grade) == (
        "盂县宏达石灰有限公司",
        "秀水镇",
        "lime_kiln",
        "",
        "B",
    )
    assert lime.emissions() == {"so2": 12.5, "nox": 30.2, "pm": 8.1, "vocs": 0.0}
    assert (lime.freight_tpa, lime.truck_standard, lime.env_officer_phone) == (
        150000.0,
        "china5",
        "+8613903551001",
    )
    assert (lime.latitude, lime.longitude, lime.legal_person, lime.env_officer) == (
        38.0861,
        113.4123,
        "张三",
        "李四",
    )
    bricks = found[b]
    assert (bricks.industry, bricks.subtype, bricks.grade, bricks.township.name_zh) == (
        "brick_tile",
        "non_sintered_brick",
        "leading",
        "南娄镇",
    )
    assert (bricks.latitude, bricks.truck_standard) == (None, "electric")
    heat = found[c]  # the code was written in lower case
    assert (heat.industry, heat.grade, heat.exempt_reason) == ("other", "exempt", "heat_based")


def test_a_wrong_check_character_is_refused_saying_which_it_should_be(sample_jurisdiction):
    good = credit_code()
    bad = _bad_check_character(good)
    report = _import(
        sample_jurisdiction, _row(bad), _row("91140322MA12345", name="短码"), _row("91140322MA0O0000IO")
    )
    assert [line for line, _ in report.errors] == [2, 3, 4]
    messages = dict(report.errors)
    assert bad in messages[2] and good[17] in messages[2].replace(bad, "")
    assert "18" in messages[3] and "91140322MA0O0000IO" in messages[4]
    assert _count(Enterprise) == 0


def test_unknown_industry_grade_and_sub_type_are_refused(sample_jurisdiction):
    report = _import(
        sample_jurisdiction,
        _row(credit_code(), industry="炼钢"),
        _row(credit_code(), grade="E"),
        _row(credit_code(), industry="水泥", subtype="非烧结砖"),
        _row(credit_code(), grade="A", subtype="", industry="lime_kiln"),  # fine
    )
    assert [line for line, _ in report.errors] == [2, 3, 4]
    messages = dict(report.errors)
    assert "炼钢" in messages[2] and "石灰窑" in messages[2]
    assert "“E”" in messages[3] and "引领性" in messages[3]
    assert "非烧结砖" in messages[4] and "粉磨站" in messages[4]
    assert _count(Enterprise) == 0


def test_a_grade_the_industry_cannot_hold_is_refused(sample_jurisdiction):
    report = _import(
        sample_jurisdiction,
        _row(credit_code(), industry="石灰窑", grade="引领性"),
        _row(credit_code(), industry="砖瓦窑", subtype="非烧结砖", grade="C"),
    )
    assert [line for line, _ in report.errors] == [2, 3]
    messages = dict(report.errors)
    assert "石灰窑" in messages[2] and "A, B, C, D, 豁免" in messages[2]
    assert "非烧结砖" in messages[3] and "引领性, 非引领性, 豁免" in messages[3]


def test_negative_or_non_numeric_emissions_are_refused(sample_jurisdiction):
    report = _import(sample_jurisdiction, _row(credit_code(), so2="-3"), _row(credit_code(), so2="很多"))
    messages = dict(report.errors)
    assert sorted(messages) == [2, 3]
    assert "SO2" in messages[2] and "-3" in messages[2] and "很多" in messages[3]
    assert _count(Enterprise) == 0


def test_exempt_needs_its_reason_and_only_exempt_has_one(sample_jurisdiction):
    report = _import(
        sample_jurisdiction,
        _row(credit_code(), industry="其他类行业", grade="豁免"),
        _row(credit_code(), grade="B", reason="保民生"),
        _row(credit_code(), industry="其他类行业", grade="豁免", reason="天气冷"),
        _row(credit_code(), industry="其他类行业", grade="保民生"),  # the reason as the grade: fine
        _row(credit_code(), industry="其他类行业", grade="exempt", reason="micro"),  # codes: fine
    )
    assert [line for line, _ in report.errors] == [2, 3, 4]
    messages = dict(report.errors)
    assert "保民生" in messages[2] and "B" in messages[3] and "天气冷" in messages[4]
    report = _import(
        sample_jurisdiction,
        _row(credit_code(), industry="其他类行业", grade="保民生"),
        _row(credit_code(), industry="其他类行业", grade="exempt", reason="micro"),
    )
    assert report.errors == []
    assert {(e.grade, e.exempt_reason) for e in db.session.scalars(select(Enterprise))} == {
        ("exempt", "livelihood"),
        ("exempt", "micro"),
    }


def test_a_credit_code_twice_in_one_file_is_refused_at_its_second_line(sample_jurisdiction):
    code = credit_code()
    report = _import(sample_jurisdiction, _row(code), _row(credit_code()), _row(code, name="又一家"))
    assert [line for line, _ in report.errors] == [4]
    assert code in report.errors[0][1] and "2" in report.errors[0][1]
    assert _count(Enterprise) == 0


def test_a_phone_belongs_to_one_enterprise(sample_jurisdiction):
    """A duty's SMS goes once per phone and revision: a second enterprise on the same phone would
    never get its own link, so the file is refused at that line, or where it takes a phone from
    an enterprise it leaves alone."""
    first, second, third = credit_code(), credit_code(), credit_code()
    report = _import(sample_jurisdiction, _row(first, phone="13903559001"), _row(second, phone="13903559001"))
    assert [line for line, _ in report.errors] == [3]
    assert "+8613903559001" in report.errors[0][1] and first in report.errors[0][1]
    assert _count(Enterprise) == 0

    assert _import(sample_jurisdiction, _row(first, phone="13903559001")).added == 1
    db.session.commit()
    report = _import(sample_jurisdiction, _row(third, phone="13903559001"))
    assert [line for line, _ in report.errors] == [2] and first in report.errors[0][1]
    # The enterprise itself may keep its phone, and hand it on when it takes another.
    assert _import(sample_jurisdiction, _row(first, phone="13903559001")).errors == []
    handed_on = _import(
        sample_jurisdiction, _row(first, phone="13903559002"), _row(third, phone="13903559001")
    )
    assert handed_on.errors == [] and (handed_on.added, handed_on.updated) == (1, 1)


def test_other_cells_are_checked_too(sample_jurisdiction):
    robot = Robot(
        jurisdiction_id=sample_jurisdiction.id,
        kind="wecom",
        name="秀水镇企业群",
        webhook_url="http://127.0.0.1:1/cgi-bin/webhook/send?key=k",
    )
    db.session.add(robot)
    db.session.commit()
    header = (
        "credit_code,name,township,industry,grade,env_officer_phone,latitude,longitude,truck_standard,robot"
    )
    rows = [
        f"{credit_code()},甲,火星镇,石灰窑,B,13903551001,,,,",  # 2 township
        f"{credit_code()},乙,秀水镇,石灰窑,B,0353-8083124,,,,",  # 3 landline
        f"{credit_code()},丙,秀水镇,石灰窑,B,13903551003,113.41,38.08,,",  # 4 swapped point
        f"{credit_code()},丁,秀水镇,石灰窑,B,13903551004,38.08,,,",  # 5 half a point
        f"{credit_code()},戊,秀水镇,石灰窑,B,13903551005,,,国二,",  # 6 truck standard
        f"{credit_code()},己,秀水镇,石灰窑,B,13903551006,,,,没有的群",  # 7 robot
        f"{credit_code()},庚,秀水镇,石灰窑,B,13903551007,38.08,113.41,国Ⅵ,秀水镇企业群",  # fine
        f"{credit_code()},,秀水镇,石灰窑,B,13903551008,,,,",  # 9 no name
    ]
    report = registry.import_csv(sample_jurisdiction, "\n".join([header, *rows]).encode())
    assert [line for line, _ in report.errors] == [2, 3, 4, 5, 6, 7, 9]
    messages = dict(report.errors)
    assert "火星镇" in messages[2] and "0353-8083124" in messages[3] and "113.41" in messages[4]
    assert "国二" in messages[6] and "没有的群" in messages[7]
    report = registry.import_csv(sample_jurisdiction, "\n".join([header, rows[6]]).encode())
    assert report.errors == []
    assert db.session.scalar(select(Enterprise.robot_id)) == robot.id


def test_missing_columns_are_named(sample_jurisdiction):
    report = registry.import_csv(sample_jurisdiction, "企业名称,乡镇\n甲,秀水镇\n".encode())
    assert report.errors[0][0] == 1
    assert (
        "credit_code (统一社会信用代码)" in report.errors[0][1] and "grade (绩效分级)" in report.errors[0][1]
    )


def test_importing_again_updates_by_credit_code(sample_jurisdiction):
    code, other = credit_code(), credit_code()
    assert _import(sample_jurisdiction, _row(code), _row(other)).added == 2
    db.session.commit()
    report = _import(sample_jurisdiction, _row(code, name="盂县甲石灰有限公司（更名）", grade="A", so2="4"))
    assert report.errors == [] and (report.added, report.updated) == (0, 1)
    db.session.commit()
    updated = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    assert (updated.name, updated.grade, updated.so2_tpa) == ("盂县甲石灰有限公司（更名）", "A", 4.0)
    assert _count(Enterprise) == 2


def test_lines_name_a_registered_enterprise_and_update_by_name(sample_jurisdiction):
    code = credit_code()
    _import(sample_jurisdiction, _row(code))
    db.session.commit()
    text = "\n".join(
        [
            LINES_HEADER,
            f"{code},1号石灰窑,破碎、煅烧,是,600,550,500,t/d",
            f"{code},2号石灰窑,煅烧,,600,,480,",
        ]
    )
    report = registry.import_lines_csv(sample_jurisdiction, text.encode("gbk"))
    assert report.errors == [] and report.added == 2
    db.session.commit()
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    first, second = enterprise.lines
    assert (first.name, first.processes, first.emits, first.basis, first.unit) == (
        "1号石灰窑",
        "破碎,煅烧",
        True,
        500,
        "t/d",
    )
    assert (second.capacity_permit, second.basis, second.unit, second.position) == (None, 480, "t/d", 1)
    # Again, with a third line first: the known lines keep their places, the new one goes last.
    text = "\n".join(
        [
            LINES_HEADER,
            f"{code},3号石灰窑,煅烧,否,300,300,200,t/d",
            f"{code},1号石灰窑,破碎、煅烧,是,600,550,450,t/d",
        ]
    )
    report = registry.import_lines_csv(sample_jurisdiction, text.encode())
    assert report.errors == [] and (report.added, report.updated) == (1, 1)
    db.session.commit()
    db.session.refresh(enterprise)
    assert [(line.name, line.basis, line.emits) for line in enterprise.lines] == [
        ("1号石灰窑", 450, True),
        ("2号石灰窑", 480, True),
        ("3号石灰窑", 200, False),
    ]


def test_bad_lines_are_refused_by_line(sample_jurisdiction):
    code = credit_code()
    _import(sample_jurisdiction, _row(code))
    db.session.commit()
    unknown = credit_code()
    body = code[:17]
    rows = [
        f"{unknown},1号线,煅烧,是,1,1,1,t/d",  # 2 not registered
        f"{body}{_bad_check_character(code)[17]},1号线,煅烧,是,1,1,1,t/d",  # 3 bad check character
        f"{code},1号线,煅烧,也许,1,1,1,t/d",  # 4 emits
        f"{code},1号线,煅烧,是,-600,1,1,t/d",  # 5 negative capacity
        f"{code},2号线,煅烧,是,1,1,1,t/d",  # fine
        f"{code},2号线,煅烧,是,1,1,1,t/d",  # 7 same line again
        f"{code},,煅烧,是,1,1,1,t/d",  # 8 no name
    ]
    report = registry.import_lines_csv(sample_jurisdiction, "\n".join([LINES_HEADER, *rows]).encode())
    assert [line for line, _ in report.errors] == [2, 3, 4, 5, 7, 8]
    messages = dict(report.errors)
    assert unknown in messages[2] and check_character(body) in messages[3]
    assert "也许" in messages[4] and "-600" in messages[5] and "6" in messages[7]
    assert _count(ProductionLine) == 0


def test_the_templates_import_as_they_are(sample_jurisdiction):
    report = registry.import_csv(sample_jurisdiction, ("\ufeff" + registry.TEMPLATE_CSV).encode())
    assert report.errors == [] and report.added == 2
    report = registry.import_lines_csv(sample_jurisdiction, registry.LINES_TEMPLATE_CSV.encode("gbk"))
    assert report.errors == [] and report.added == 2
