"""Demo schools and kindergartens of Yu County's 13 townships, imported through the registry's
own CSV path, the contacts told about silent schools, and the schools' answers to the demo
warning (most confirm in time, some after the reminder, a few never).

Phones are made up in ranges no other demo list uses (139 0354 …) and only reach the stand-ins.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from notify.extensions import db
from notify.models import Jurisdiction, MemberUnit, Revision, SchoolContact, SchoolNotice, Township
from notify.schools import acknowledge, escalation, registry

# County-seat schools (秀水镇) and, per township, its villages with a school of their own.
COUNTY_SEAT = [
    ("盂县第一中学校", "high"),
    ("盂县第二中学校", "high"),
    ("盂县第三中学", "middle"),
    ("盂县实验中学", "middle"),
    ("盂县第一小学", "primary"),
    ("盂县第二小学", "primary"),
    ("盂县实验小学", "primary"),
    ("盂县东关小学", "primary"),
    ("盂县西关小学", "primary"),
    ("盂县第一幼儿园", "kindergarten"),
    ("盂县第二幼儿园", "kindergarten"),
    ("盂县机关幼儿园", "kindergarten"),
    ("秀水镇中心幼儿园", "kindergarten"),
]
VILLAGES = {
    "孙家庄镇": ["乌玉", "东木口"],
    "路家村镇": ["东庄头", "西小坪"],
    "南娄镇": ["北庄", "小河"],
    "牛村镇": ["白土坡", "西营"],
    "仙人乡": ["东小河"],
    "北下庄乡": ["梁家庄"],
    "苌池镇": ["藏山", "北村"],
    "上社镇": ["西村", "石家塔"],
    "梁家寨乡": ["清城"],
    "西烟镇": ["红崖", "东坪"],
    "东梁乡": ["前梁"],
    "西潘乡": ["西木口"],
}
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国秀英志强丽娟海燕春梅文斌晓东红霞玉兰俊杰桂芳永红卫东淑珍国庆金凤"
HEAD_BASE = 13903540000
DUTY_BASE = 13903545000
BUREAU_PHONE = "13903549000"
TOWNSHIP_CONTACT_BASE = 13903549100


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def school_rows(townships: list[Township]) -> list[tuple[str, str, str, str]]:
    """(name, type, township name, code) for every demo school."""
    rows = [(name, kind, "秀水镇") for name, kind in COUNTY_SEAT]
    for t in townships:
        if t.name_zh == "秀水镇":
            continue
        short = t.name_zh.rstrip("镇乡")
        rows += [
            (f"盂县{short}中学", "middle", t.name_zh),
            (f"{t.name_zh}中心小学", "primary", t.name_zh),
            (f"{t.name_zh}中心幼儿园", "kindergarten", t.name_zh),
        ]
        for i, village in enumerate(VILLAGES.get(t.name_zh, [])):
            kind = "nine_year" if i == 0 and len(VILLAGES[t.name_zh]) > 1 else "primary"
            rows.append(
                (f"{short}{village}{'九年一贯制学校' if kind == 'nine_year' else '小学'}", kind, t.name_zh)
            )
    return [(name, kind, town, f"140322{i + 1:04d}") for i, (name, kind, town) in enumerate(rows)]


def seed_schools(j: Jurisdiction) -> int:
    rng = random.Random(140322)
    townships = list(
        db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id).order_by(Township.code))
    )
    lines = ["code,name,type,township,head_name,head_phone,duty_name,duty_phone"]
    for i, (name, kind, town, code) in enumerate(school_rows(townships)):
        lines.append(
            f"{code},{name},{kind},{town},{_person(rng)},{HEAD_BASE + i},{_person(rng)},{DUTY_BASE + i}"
        )
    report = registry.import_csv(j, "\n".join(lines).encode())
    if report.errors:
        raise ValueError(f"demo schools: {report.errors[:3]}")
    bureau = db.session.scalar(
        select(MemberUnit).where(
            MemberUnit.jurisdiction_id == j.id, MemberUnit.code == "education_science_bureau"
        )
    )
    db.session.add(
        SchoolContact(
            jurisdiction_id=j.id,
            member_unit=bureau,
            name="县教科局安全股 " + _person(rng),
            phone="+86" + BUREAU_PHONE,
        )
    )
    for i, t in enumerate(townships):
        db.session.add(
            SchoolContact(
                jurisdiction_id=j.id,
                township_id=t.id,
                name=f"{t.name_zh}教育办 {_person(rng)}",
                phone=f"+86{TOWNSHIP_CONTACT_BASE + i}",
            )
        )
    db.session.flush()
    return report.added


def answer(
    revision: Revision,
    *,
    published: datetime,
    late_share: float = 0.15,
    never_share: float = 0.1,
    seed: int = 1,
) -> None:
    """The schools' answers to a demo revision, through the real acknowledgement and escalation
    code at past times: most confirm within the first interval, some only after the reminder,
    a few never (and are reported)."""
    rng = random.Random(seed)
    first = timedelta(minutes=current_app.config["SCHOOL_ACK_ESCALATE_MINUTES"])
    second = timedelta(minutes=current_app.config["SCHOOL_ACK_REPORT_MINUTES"])
    notices = list(
        db.session.scalars(
            select(SchoolNotice)
            .where(SchoolNotice.revision_id == revision.id, SchoolNotice.requires_ack.is_(True))
            .order_by(SchoolNotice.id)
        )
    )
    timely: list[SchoolNotice] = []
    late: list[SchoolNotice] = []
    for notice in notices:
        draw = rng.random()
        if draw < never_share:
            continue
        (late if draw < never_share + late_share else timely).append(notice)
    for notice in timely:
        _answer(notice, published + timedelta(seconds=rng.randint(60, int(first.total_seconds()) - 60)), rng)
    escalation.remind(revision, published + first)
    for notice in late:
        _answer(
            notice,
            published + first + timedelta(seconds=rng.randint(60, int(second.total_seconds()) - 60)),
            rng,
        )
    escalation.report(revision, published + first + second)


def _answer(notice: SchoolNotice, at: datetime, rng: random.Random) -> None:
    school = notice.school
    if rng.random() < 0.3:
        acknowledge.acknowledge(notice, via="sms", by=school.head_name, phone=school.head_phone, now=at)
    else:
        acknowledge.acknowledge(notice, via="link", by=school.head_name, now=at)
