"""The school registry's CSV import: every line checked first, all or nothing, line numbers."""

from __future__ import annotations

from sqlalchemy import func, select

from notify.extensions import db
from notify.models import Robot, School
from notify.schools import registry

HEADER_ZH = "学校代码,学校名称,类型,乡镇,校长,校长电话,值班人,值班电话"


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(School))


def test_a_chinese_sheet_in_gbk_is_imported(sample_jurisdiction):
    text = "\n".join(
        [
            HEADER_ZH,
            "1403220001,盂县第一中学校,高中,秀水镇,张建国,139 0354 0001,李红霞,13903545001",
            "1403220002,孙家庄镇中心幼儿园,幼儿园,140322101,王丽娟,+86-139-0354-0002,,",
            "",
            "1403220003,盂县乌玉九年一贯制学校,九年一贯制,孙家庄镇,赵志强,13903540003,周海燕,13903545003",
        ]
    )
    report = registry.import_csv(sample_jurisdiction, text.encode("gb18030"))
    assert report.errors == [] and (report.added, report.updated) == (3, 0)
    db.session.commit()
    schools = {s.code: s for s in db.session.scalars(select(School))}
    first = schools["1403220001"]
    assert (first.name, first.type, first.township.name_zh) == ("盂县第一中学校", "high", "秀水镇")
    assert (first.head_phone, first.duty_phone) == ("+8613903540001", "+8613903545001")
    kindergarten = schools["1403220002"]
    assert (kindergarten.type, kindergarten.township.name_zh, kindergarten.duty_phone) == (
        "kindergarten",
        "孙家庄镇",
        None,
    )
    assert schools["1403220003"].type == "nine_year"


def test_every_bad_line_is_named_and_nothing_is_written(sample_jurisdiction):
    text = "\n".join(
        [
            "code,name,type,township,head_name,head_phone,duty_name,duty_phone",
            "A1,好学校,primary,秀水镇,甲,13903540001,乙,13903545001",  # 2 fine
            "A2,坏电话,primary,秀水镇,甲,0353-8083124,,",  # 3 landline
            "A3,无此乡,primary,火星镇,甲,13903540003,,",  # 4 township
            "A4,大学,university,秀水镇,甲,13903540004,,",  # 5 type
            "A1,重复代码,primary,秀水镇,甲,13903540005,,",  # 6 code again
            "A6,借用电话,primary,秀水镇,甲,13903545001,,",  # 7 phone of A1
            ",,primary,秀水镇,甲,13903540007,,",  # 8 no code
            "A8,坏值班电话,middle,秀水镇,甲,13903540008,乙,12345",  # 9 duty phone
        ]
    )
    report = registry.import_csv(sample_jurisdiction, text.encode())
    lines = [line for line, _ in report.errors]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    messages = dict(report.errors)
    assert "0353-8083124" in messages[3] and "火星镇" in messages[4] and "university" in messages[5]
    assert "A1" in messages[6] and "A1" in messages[7] and "2" in messages[7]
    assert report.added == 0 and count() == 0


def test_missing_columns_and_binary_files_are_refused(sample_jurisdiction):
    report = registry.import_csv(sample_jurisdiction, b"name,phone\nx,13903540001")
    assert report.errors[0][0] == 1 and "code" in report.errors[0][1]
    report = registry.import_csv(sample_jurisdiction, b"\xff\xfe\x00\x00\x81\x30")
    assert report.errors and report.errors[0][0] == 0
    assert count() == 0


def test_importing_again_updates_by_code_and_phones_may_move_between_schools(sample_jurisdiction):
    header = "code,name,type,township,head_name,head_phone"
    registry.import_csv(
        sample_jurisdiction,
        f"{header}\nA1,甲校,primary,秀水镇,甲,13903540001\nA2,乙校,primary,秀水镇,乙,13903540002".encode(),
    )
    db.session.commit()
    # The two heads swap schools (and numbers): checked against the final state, not halfway.
    report = registry.import_csv(
        sample_jurisdiction,
        f"{header}\nA1,甲校,middle,南娄镇,乙,13903540002\nA2,乙校,primary,秀水镇,甲,13903540001".encode(),
    )
    assert report.errors == [] and (report.added, report.updated) == (0, 2)
    db.session.commit()
    a1 = db.session.scalar(select(School).where(School.code == "A1"))
    assert (a1.type, a1.township.name_zh, a1.head_phone) == ("middle", "南娄镇", "+8613903540002")
    assert count() == 2


def test_a_phone_of_a_school_left_out_of_the_file_stays_its_own(sample_jurisdiction):
    header = "code,name,type,township,head_name,head_phone"
    registry.import_csv(sample_jurisdiction, f"{header}\nA1,甲校,primary,秀水镇,甲,13903540001".encode())
    db.session.commit()
    report = registry.import_csv(
        sample_jurisdiction, f"{header}\nB1,丙校,primary,秀水镇,丙,13903540001".encode()
    )
    assert report.errors and report.errors[0][0] == 2 and "A1" in report.errors[0][1]
    assert count() == 1


def test_a_robot_is_named_by_id_or_name(sample_jurisdiction):
    robot = Robot(
        jurisdiction_id=sample_jurisdiction.id,
        kind="wecom",
        name="秀水镇学校群",
        webhook_url="http://127.0.0.1:1/cgi-bin/webhook/send?key=k",
    )
    db.session.add(robot)
    db.session.commit()
    header = "code,name,type,township,head_name,head_phone,robot"
    report = registry.import_csv(
        sample_jurisdiction,
        (
            f"{header}\nA1,甲校,primary,秀水镇,甲,13903540001,秀水镇学校群\n"
            f"A2,乙校,primary,秀水镇,乙,13903540002,{robot.id}\n"
            f"A3,丙校,primary,秀水镇,丙,13903540003,没有的群"
        ).encode(),
    )
    assert [line for line, _ in report.errors] == [4]
    report = registry.import_csv(
        sample_jurisdiction,
        (
            f"{header}\nA1,甲校,primary,秀水镇,甲,13903540001,秀水镇学校群\n"
            f"A2,乙校,primary,秀水镇,乙,13903540002,{robot.id}"
        ).encode(),
    )
    db.session.commit()
    assert {s.robot_id for s in db.session.scalars(select(School))} == {robot.id}


def test_the_demo_registry_covers_every_township(sample_recipients, yu_schools, sample_jurisdiction):
    townships = {s.township.name_zh for s in yu_schools}
    assert len(townships) == len(sample_jurisdiction.townships) == 13
    assert {s.type for s in yu_schools} == {"kindergarten", "primary", "middle", "high", "nine_year"}
    phones = [s.head_phone for s in yu_schools] + [s.duty_phone for s in yu_schools]
    assert len(set(phones)) == len(phones)
    # Apart from every number the demo audiences use.
    from notify.models import Recipient

    assert not set(phones) & set(db.session.scalars(select(Recipient.address)))
