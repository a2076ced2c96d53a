"""Demo enterprises: a made-up but plausible Yu County reduction list (附件11's industries and
sub-types, every performance grade, the three exemptions), their production lines, and who hears
about silent enterprises; imported through the registry's own CSV path, as real lists are.

Yu County lives on bauxite, limestone and coal: refractories, lime kilns, foundries and cement
gather in the townships that hold them, the coating, furniture and printing shops around the
county seat. Every figure is invented; credit codes are valid (GB 32100 check character) but
belong to no one, and the phones (139 0355 …, 139 0356 … for Wu'an) are apart from every other
demo list (recipients 139 0353 …, schools 139 0354 …) and only reach the stand-ins.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from notify.enterprises import confirm, duty_notices, escalation, industries, plans, registry
from notify.enterprises.credit_code import CHARSET, check_character
from notify.extensions import db
from notify.models import (
    Enterprise,
    EnterpriseContact,
    EnterpriseDuty,
    Jurisdiction,
    Revision,
    Township,
    User,
)
from notify.models.enterprises import POLLUTANTS

YU_COUNTY = "140322"
WUAN = "130481"
OFFICER_BASE = {YU_COUNTY: 13903550000, WUAN: 13903560000}
CONTACT_BASE = {YU_COUNTY: 13903559000, WUAN: 13903569000}

# A rough centre per township (made up, inside the county around 38.08 N 113.41 E).
TOWNSHIP_POINTS = {
    "秀水镇": (38.086, 113.412),
    "孙家庄镇": (38.104, 113.300),
    "路家村镇": (37.990, 113.452),
    "南娄镇": (38.030, 113.215),
    "牛村镇": (38.196, 113.335),
    "仙人乡": (38.142, 113.128),
    "北下庄乡": (38.278, 113.250),
    "苌池镇": (38.122, 113.520),
    "上社镇": (38.238, 113.575),
    "梁家寨乡": (38.305, 113.418),
    "西烟镇": (38.022, 113.120),
    "东梁乡": (38.150, 113.618),
    "西潘乡": (37.962, 113.305),
}
VILLAGES = {
    "秀水镇": ("东关", "西关", "北关", "南关", "城东"),
    "孙家庄镇": ("乌玉", "东木口", "孙家庄", "大汖"),
    "路家村镇": ("东庄头", "西小坪", "路家村", "温池"),
    "南娄镇": ("北庄", "小河", "南娄", "后川"),
    "牛村镇": ("白土坡", "西营", "牛村", "红凹"),
    "仙人乡": ("东小河", "仙人", "枣园"),
    "北下庄乡": ("梁家庄", "北下庄", "会里"),
    "苌池镇": ("藏山", "北村", "苌池", "神泉"),
    "上社镇": ("西村", "石家塔", "上社", "河东"),
    "梁家寨乡": ("清城", "梁家寨", "西岭"),
    "西烟镇": ("红崖", "东坪", "西烟", "榆林坪"),
    "东梁乡": ("前梁", "东梁", "黄树岩"),
    "西潘乡": ("西木口", "西潘", "河北"),
}
BRANDS = (
    "宏达 鑫源 晋盂 华通 泰丰 兴盛 恒信 金鼎 瑞丰 聚源 广源 正泰 隆昌 永盛 德润 昌盛 富民 汇丰 鼎盛 天利 "
    "东方 盛达 华鑫 亿达 利民 安泰 福源 晋阳 长青 兴旺 振华 新源 凯达 佳和 嘉禾 通达 宏远 旭日 腾飞 金石 "
    "银河 三元 双龙 藏山 龙华 九鼎 恒源 立新 荣昌 宝丰 和信 博远 益民 众和 诚信 顺达 祥瑞 春晖 明珠 永兴 "
    "兴隆 金诺 万通 丰源 合力 建峰 鹏程 同力 方圆 红星 绿源 蓝天 北方 太行 秀水 仇犹 华晋 晋东 盂山 乌河"
).split()
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国秀英志强丽娟海燕春梅文斌晓东红霞玉兰俊杰桂芳永红卫东淑珍国庆金凤"
# Grade → share of its trade's emission range, and the trucks it runs.
GRADE_SCALE = {"A": 0.45, "B": 0.65, "C": 0.85, "D": 1.0, "leading": 0.5, "non_leading": 0.9, "exempt": 0.6}
GRADE_TRUCKS = {
    "A": ("国六", "电动"),
    "leading": ("国六", "电动"),
    "B": ("国五", "国六"),
    "C": ("国四", "国五"),
    "non_leading": ("国四", "国五"),
    "D": ("国三", "国四"),
    "exempt": ("国五", "国六"),
}


@dataclass(frozen=True)
class Trade:
    """One kind of plant of the list: its 附件11 industry and sub-type, the grades of the demo's
    plants of this kind (one plant each; "exempt:<reason>" for an exemption), how they are named,
    where they sit, their emissions (t/a ranges) and freight, and the lines they may have
    (name, processes, daily capacity, unit), of which each plant runs the first min_lines to four."""

    industry: str
    subtype: str
    grades: tuple[str, ...]
    suffixes: tuple[str, ...]
    towns: tuple[str, ...]
    emissions: dict[str, tuple[float, float]]
    freight: tuple[int, int]
    lines: tuple[tuple[str, str, float, str], ...]
    min_lines: int = 1
    prefix: str = "盂县"


YU_TRADES = (
    Trade(
        "lime_kiln",
        "",
        ("A", "B", "B", "C", "C", "C", "D", "D"),
        ("石灰有限公司", "钙业有限公司"),
        ("苌池镇", "上社镇", "东梁乡", "梁家寨乡"),
        {"so2": (8, 30), "nox": (20, 60), "pm": (6, 24)},
        (120_000, 600_000),
        (
            ("1号石灰窑", "破碎,煅烧", 600, "t/d"),
            ("2号石灰窑", "破碎,煅烧", 500, "t/d"),
            ("3号石灰窑", "煅烧", 300, "t/d"),
            ("石灰粉磨线", "破碎,粉磨", 400, "t/d"),
        ),
    ),
    Trade(
        "foundry",
        "castings",
        ("A", "B", "C", "D"),
        ("铸造有限公司", "精密铸造有限公司"),
        ("秀水镇", "孙家庄镇", "路家村镇"),
        {"so2": (0.5, 3), "nox": (1, 5), "pm": (3, 10), "vocs": (0.5, 3)},
        (20_000, 90_000),
        (
            ("熔炼车间", "熔炼,浇注", 60, "t/d"),
            ("造型清理车间", "造型,制芯,清理,打磨", 55, "t/d"),
            ("涂装车间", "喷涂,烘干", 50, "t/d"),
        ),
    ),
    Trade(
        "foundry",
        "foundry_pig_iron",
        ("A", "B", "C", "D"),
        ("冶铸有限公司", "铸铁有限公司"),
        ("路家村镇", "西潘乡", "孙家庄镇"),
        {"so2": (40, 120), "nox": (50, 150), "pm": (25, 80)},
        (600_000, 1_800_000),
        (
            ("烧结机", "烧结", 2400, "t/d"),
            ("球团竖炉", "球团", 1500, "t/d"),
            ("1号高炉", "熔炼", 1200, "t/d"),
            ("2号高炉", "熔炼", 1000, "t/d"),
        ),
        min_lines=3,
    ),
    Trade(
        "cement",
        "",
        ("A", "B", "C", "D"),
        ("水泥有限公司",),
        ("南娄镇", "西烟镇", "牛村镇"),
        {"so2": (20, 80), "nox": (120, 400), "pm": (20, 60)},
        (500_000, 2_000_000),
        (
            ("熟料生产线", "破碎,生料粉磨,煅烧", 2500, "t/d"),
            ("水泥粉磨线", "粉磨,包装", 3000, "t/d"),
        ),
        min_lines=2,
    ),
    Trade(
        "cement",
        "grinding_station",
        ("leading", "non_leading", "non_leading"),
        ("水泥粉磨有限公司", "水泥制品有限公司", "矿渣微粉有限公司"),
        ("秀水镇", "南娄镇", "西烟镇"),
        {"pm": (2, 9)},
        (150_000, 600_000),
        (("1号粉磨系统", "粉磨,包装", 1500, "t/d"), ("2号粉磨系统", "粉磨,包装", 1200, "t/d")),
    ),
    Trade(
        "brick_tile",
        "",
        ("A", "B", "C", "C", "D"),
        ("页岩砖有限公司", "砖业有限公司"),
        ("牛村镇", "仙人乡", "北下庄乡", "西潘乡", "东梁乡"),
        {"so2": (8, 40), "nox": (6, 30), "pm": (4, 15)},
        (40_000, 150_000),
        (
            ("原料制备线", "破碎,成型", 30, "万块/d"),
            ("1号隧道窑", "干燥,焙烧", 28, "万块/d"),
            ("2号隧道窑", "干燥,焙烧", 20, "万块/d"),
        ),
        min_lines=2,
    ),
    Trade(
        "brick_tile",
        "non_sintered_brick",
        ("leading", "non_leading", "non_leading"),
        ("新型建材有限公司", "免烧砖厂"),
        ("秀水镇", "苌池镇", "梁家寨乡"),
        {"pm": (0.8, 4)},
        (20_000, 80_000),
        (("蒸压砖生产线", "破碎,搅拌,成型", 20, "万块/d"), ("砌块生产线", "搅拌,成型", 15, "万块/d")),
    ),
    Trade(
        "refractory",
        "",
        ("A", "B", "B", "C", "C", "C", "D", "D"),
        ("耐火材料有限公司", "耐材有限公司", "高铝熟料有限公司"),
        ("路家村镇", "西潘乡", "南娄镇", "孙家庄镇", "西烟镇"),
        {"so2": (8, 40), "nox": (10, 50), "pm": (5, 20)},
        (50_000, 300_000),
        (
            ("原料车间", "破碎,成型", 220, "t/d"),
            ("1号隧道窑", "焙烧", 150, "t/d"),
            ("2号隧道窑", "焙烧", 120, "t/d"),
            ("1号倒焰窑", "焙烧", 60, "t/d"),
        ),
        min_lines=2,
    ),
    Trade(
        "refractory",
        "unshaped_refractory",
        ("leading", "non_leading", "non_leading"),
        ("不定形耐火材料有限公司", "浇注料有限公司"),
        ("路家村镇", "孙家庄镇", "西潘乡"),
        {"pm": (1, 5)},
        (20_000, 80_000),
        (("浇注料生产线", "破碎,配料,搅拌,包装", 120, "t/d"), ("喷涂料生产线", "配料,搅拌,包装", 60, "t/d")),
    ),
    Trade(
        "coating_manufacture",
        "",
        ("A", "D"),
        ("涂料有限公司", "化工涂料有限公司"),
        ("秀水镇", "孙家庄镇"),
        {"pm": (0.2, 1), "vocs": (2, 15)},
        (5_000, 30_000),
        (
            ("溶剂型涂料车间", "配料,预混,分散,调和,过滤,罐装", 25, "t/d"),
            ("水性涂料车间", "配料,分散,搅拌,罐装", 20, "t/d"),
        ),
    ),
    Trade(
        "coating_manufacture",
        "powder_coating",
        ("leading", "non_leading"),
        ("粉末涂料有限公司",),
        ("秀水镇", "苌池镇"),
        {"pm": (0.5, 2)},
        (3_000, 15_000),
        (("粉末涂料生产线", "配料,预混,熔融挤出,破碎,研磨", 12, "t/d"),),
    ),
    Trade(
        "furniture",
        "",
        ("A", "B", "C"),
        ("家具有限公司", "木业有限公司"),
        ("秀水镇", "孙家庄镇", "上社镇"),
        {"pm": (0.5, 3), "vocs": (1, 8)},
        (2_000, 10_000),
        (
            ("板式家具线", "开料,机加工,打磨,施胶", 300, "件/d"),
            ("涂装线", "调漆,供漆,涂装,干燥/烘干", 280, "件/d"),
        ),
    ),
    Trade(
        "furniture",
        "powder_coated_furniture",
        ("leading", "non_leading"),
        ("钢木家具有限公司", "办公家具有限公司"),
        ("秀水镇", "路家村镇"),
        {"pm": (0.3, 1.5), "vocs": (0.1, 0.5)},
        (2_000, 8_000),
        (("钢制家具线", "开料,机加工,喷粉,固化", 400, "件/d"),),
    ),
    Trade(
        "industrial_coating",
        "",
        ("A", "B", "C", "D"),
        ("机械制造有限公司", "钢结构有限公司", "煤机装备有限公司"),
        ("秀水镇", "孙家庄镇", "苌池镇", "牛村镇"),
        {"pm": (0.5, 2), "vocs": (3, 20)},
        (10_000, 60_000),
        (
            ("前处理线", "抛丸,打磨", 40, "t/d"),
            ("涂装线", "喷涂,流平,烘干", 35, "t/d"),
            ("2号涂装线", "喷涂,流平,烘干", 20, "t/d"),
        ),
    ),
    Trade(
        "packaging_printing",
        "",
        ("A", "B", "C", "D"),
        ("包装印刷有限公司", "彩印有限公司", "纸制品有限公司"),
        ("秀水镇", "孙家庄镇"),
        {"vocs": (2, 12)},
        (3_000, 20_000),
        (
            ("凹版印刷线", "调墨,供墨,印刷", 8, "t/d"),
            ("复合线", "复合,覆膜,清洗", 6, "t/d"),
            ("柔版印刷线", "调墨,印刷,涂布（上光）", 5, "t/d"),
        ),
    ),
    Trade(
        "open_pit_mining",
        "",
        ("C", "D", "D"),
        ("石料有限公司", "铝矾土矿业有限公司"),
        ("仙人乡", "北下庄乡", "梁家寨乡"),
        {"pm": (10, 40)},
        (300_000, 1_200_000),
        (("采场", "穿孔,爆破,铲装", 3000, "t/d"), ("破碎筛分线", "破碎,筛分", 2500, "t/d")),
    ),
    Trade(
        "other",
        "",
        ("B", "C", "C", "D"),
        ("炭素有限公司", "陶瓷有限公司", "化工有限公司"),
        ("西烟镇", "牛村镇", "上社镇", "东梁乡"),
        {"so2": (5, 30), "nox": (8, 40), "pm": (3, 15), "vocs": (1, 8)},
        (30_000, 200_000),
        (
            ("1号煅烧炉", "破碎,煅烧", 150, "t/d"),
            ("成型车间", "混捏,成型", 140, "t/d"),
            ("焙烧车间", "焙烧", 120, "t/d"),
        ),
    ),
    Trade(
        "other",
        "",
        ("exempt:heat_based", "exempt:heat_based"),
        ("热电有限责任公司", "集中供热有限公司"),
        ("秀水镇", "南娄镇"),
        {"so2": (40, 120), "nox": (60, 180), "pm": (8, 30)},
        (200_000, 600_000),
        (("1号锅炉", "燃烧", 1800, "t/d"), ("2号锅炉", "燃烧", 1800, "t/d")),
    ),
    Trade(
        "other",
        "",
        ("exempt:livelihood", "exempt:livelihood"),
        ("粮油食品有限公司", "医疗废物处置有限公司"),
        ("秀水镇", "苌池镇"),
        {"so2": (0.5, 3), "nox": (1, 6), "pm": (0.3, 2)},
        (5_000, 20_000),
        (("蒸汽锅炉", "燃烧", 96, "t/d"),),
    ),
    # 附件11 备注 (2): under 100 kg a year of a single non-toxic pollutant, no coal or oil.
    Trade(
        "packaging_printing",
        "",
        ("exempt:micro",),
        ("印务部",),
        ("秀水镇",),
        {"vocs": (0.04, 0.09)},
        (100, 500),
        (("印刷机", "印刷", 0.2, "t/d"),),
    ),
    Trade(
        "furniture",
        "",
        ("exempt:micro",),
        ("木器加工厂",),
        ("上社镇",),
        {"pm": (0.03, 0.08)},
        (100, 400),
        (("木工车间", "开料,机加工", 20, "件/d"),),
    ),
    Trade(
        "industrial_coating",
        "",
        ("exempt:micro",),
        ("农机修造部",),
        ("北下庄乡",),
        {"vocs": (0.05, 0.09)},
        (50, 300),
        (("喷漆房", "喷涂,烘干", 0.5, "t/d"),),
    ),
)

# Wu'an (seed 001): steel country; a handful for its demo jurisdiction when it has townships.
WUAN_TRADES = (
    Trade(
        "foundry",
        "foundry_pig_iron",
        ("A", "B", "C"),
        ("铸管冶铸有限公司", "钢铁冶铸有限公司"),
        (),
        {"so2": (60, 200), "nox": (80, 260), "pm": (40, 120)},
        (1_000_000, 3_000_000),
        (
            ("烧结机", "烧结", 3000, "t/d"),
            ("球团竖炉", "球团", 2000, "t/d"),
            ("1号高炉", "熔炼", 1800, "t/d"),
        ),
        min_lines=3,
        prefix="武安市",
    ),
    Trade(
        "cement",
        "",
        ("B", "D"),
        ("水泥有限公司",),
        (),
        {"so2": (20, 80), "nox": (150, 400), "pm": (20, 60)},
        (600_000, 2_000_000),
        (("熟料生产线", "破碎,生料粉磨,煅烧", 2500, "t/d"),),
        prefix="武安市",
    ),
    Trade(
        "lime_kiln",
        "",
        ("A", "C"),
        ("石灰有限公司",),
        (),
        {"so2": (8, 30), "nox": (20, 60), "pm": (6, 24)},
        (120_000, 600_000),
        (("1号石灰窑", "破碎,煅烧", 600, "t/d"), ("2号石灰窑", "煅烧", 500, "t/d")),
        prefix="武安市",
    ),
    Trade(
        "refractory",
        "",
        ("B",),
        ("耐火材料有限公司",),
        (),
        {"so2": (8, 40), "nox": (10, 50), "pm": (5, 20)},
        (50_000, 300_000),
        (("1号隧道窑", "焙烧", 150, "t/d"), ("原料车间", "破碎,成型", 200, "t/d")),
        min_lines=2,
        prefix="武安市",
    ),
    Trade(
        "industrial_coating",
        "",
        ("exempt:micro",),
        ("机械修理部",),
        (),
        {"vocs": (0.05, 0.09)},
        (50, 300),
        (("喷漆房", "喷涂,烘干", 0.5, "t/d"),),
        prefix="武安市",
    ),
)
TRADES = {YU_COUNTY: YU_TRADES, WUAN: WUAN_TRADES}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def _credit_code(jurisdiction_code: str, n: int, rng: random.Random) -> str:
    # Industry and commerce (9), enterprise (1), the county's division, then an organisation
    # code with a letter in it (MA…), so the demo's codes never meet the tests' all-digit ones.
    letters = [c for c in CHARSET if c.isalpha()]
    tail = "".join(rng.choice(CHARSET) for _ in range(3))
    body = f"91{jurisdiction_code}MA0{rng.choice(letters)}{n:02d}{tail}"
    return body + check_character(body)


def _figure(low: float, high: float, share: float, rng: random.Random) -> float:
    value = low + (high - low) * share * rng.uniform(0.75, 1.0)
    return round(value, 3 if high < 1 else 2)


def _plants(j: Jurisdiction, townships: list[Township], rng: random.Random) -> tuple[list[list], list[list]]:
    """The enterprise rows and line rows of the jurisdiction's demo list, as its CSV holds them."""
    names = {t.name_zh for t in townships}
    brands = iter(BRANDS)
    enterprises: list[list] = []
    lines: list[list] = []
    n = 0
    for trade in TRADES[j.code]:
        towns = [t for t in trade.towns if t in names] or sorted(names)
        for i, graded in enumerate(trade.grades):
            n += 1
            grade, _, reason = graded.partition(":")
            town = towns[i % len(towns)]
            code = _credit_code(j.code, n, rng)
            enterprises.append(_enterprise_row(j, trade, n, i, grade, reason, town, code, next(brands), rng))
            lines += _line_rows(trade, code, rng)
    return enterprises, lines


def _enterprise_row(
    j: Jurisdiction,
    trade: Trade,
    n: int,
    i: int,
    grade: str,
    reason: str,
    town: str,
    code: str,
    brand: str,
    rng: random.Random,
) -> list:
    share = GRADE_SCALE[grade]
    emissions = {
        p: _figure(*trade.emissions[p], share, rng) if p in trade.emissions else 0 for p in POLLUTANTS
    }
    centre = TOWNSHIP_POINTS.get(town, (38.086, 113.412))
    villages = VILLAGES.get(town, (town.rstrip("镇乡"),))
    village = villages[(n + i) % len(villages)]
    industry_cell = industries.INDUSTRIES[trade.industry].subtypes[trade.subtype].name_zh
    return [
        code,
        f"{trade.prefix}{brand}{trade.suffixes[i % len(trade.suffixes)]}",
        town,
        f"{j.name_zh}{town}{village}{'' if village.endswith('村') else '村'}{rng.randint(1, 120)}号",
        f"{centre[0] + rng.uniform(-0.02, 0.02):.5f}",
        f"{centre[1] + rng.uniform(-0.025, 0.025):.5f}",
        industry_cell,
        "",
        registry.grade_cell(grade),
        registry.exempt_cell(reason) if reason else "",
        *(emissions[p] for p in POLLUTANTS),
        round(trade.freight[0] + (trade.freight[1] - trade.freight[0]) * share * rng.uniform(0.6, 1.0), -2),
        rng.choice(GRADE_TRUCKS[grade]),
        _person(rng),
        _person(rng),
        str(OFFICER_BASE[j.code] + n),
    ]


def _line_rows(trade: Trade, code: str, rng: random.Random) -> list[list]:
    count = rng.randint(trade.min_lines, min(4, len(trade.lines)))
    rows = []
    for name, processes, capacity, unit in trade.lines[:count]:
        eia = capacity
        permit = round(capacity * rng.choice((1.0, 1.0, 0.95, 0.9)), 2)
        actual = round(capacity * rng.uniform(0.7, 1.0), 2)
        rows.append([code, name, processes.replace(",", "、"), "是", eia, permit, actual, unit])
    return rows


ENTERPRISE_HEADER = (
    "统一社会信用代码,企业名称,乡镇,地址,纬度,经度,行业,子类,绩效分级,豁免原因,"
    "SO2(t/a),NOx(t/a),PM(t/a),VOCs(t/a),年运输量(t/a),运输车辆排放标准,法定代表人,环保负责人,环保负责人电话"
).split(",")
LINE_HEADER = "统一社会信用代码,生产线,工序,涉气,环评批复产能,排污许可产能,上年实际产量,单位".split(",")


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def seed_enterprises(j: Jurisdiction) -> int:
    """The jurisdiction's demo enterprises, their lines and contacts; the number of enterprises.

    Yu County gets its full list; Wu'an a handful; another jurisdiction (or one without
    townships, where no enterprise can be placed) none."""
    if j.code not in TRADES:
        return 0
    townships = list(
        db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id).order_by(Township.code))
    )
    if not townships:
        return 0
    rng = random.Random(int(j.code))
    enterprises, lines = _plants(j, townships, rng)
    report = registry.import_csv(j, _csv(ENTERPRISE_HEADER, enterprises))
    if report.errors:
        raise ValueError(f"demo enterprises: {report.errors[:3]}")
    line_report = registry.import_lines_csv(j, _csv(LINE_HEADER, lines))
    if line_report.errors:
        raise ValueError(f"demo production lines: {line_report.errors[:3]}")
    _seed_contacts(j, townships, rng)
    db.session.flush()
    return report.added


def _seed_contacts(j: Jurisdiction, townships: list[Township], rng: random.Random) -> None:
    """The ecology bureau (township NULL) and each township's enterprise officer."""
    base = CONTACT_BASE[j.code]
    bureau = "市生态环境局盂县分局" if j.code == YU_COUNTY else "邯郸市生态环境局武安分局"
    db.session.add(
        EnterpriseContact(
            jurisdiction_id=j.id, township_id=None, name=f"{bureau} {_person(rng)}", phone=f"+86{base}"
        )
    )
    for i, t in enumerate(townships, start=1):
        db.session.add(
            EnterpriseContact(
                jurisdiction_id=j.id,
                township_id=t.id,
                name=f"{t.name_zh}环保站 {_person(rng)}",
                phone=f"+86{base + i}",
            )
        )


def seed_plans(j: Jurisdiction, office: User, approver: User, count: int = 12) -> int:
    """一厂一策 for the first enterprises that have a measure to plan: drafted by the office from
    the reduction list, approved by another person, through the plans' own guard."""
    made = 0
    for enterprise in db.session.scalars(
        select(Enterprise)
        .where(Enterprise.jurisdiction_id == j.id, Enterprise.grade.in_(("B", "C", "D")))
        .order_by(Enterprise.id)
    ):
        if made == count:
            break
        plan = plans.new_draft(enterprise, office, from_list=True)
        plans.approve(plan, approver)
        made += 1
    db.session.flush()
    return made


def answer(revision: Revision, *, published: datetime, now: datetime, seed: int = 1) -> None:
    """The enterprises' answers to a demo revision, through the real confirmation and escalation
    code at past times: most put their measures in place within the 2 h, some only after the
    reminder, a few confirm receipt and no more, a few stay silent (and are reported)."""
    # The executors write the duties' SMS right after a publication; the demo's first revision
    # is superseded before any executor runs, so its SMS are written here, at its own time.
    while duty_notices.write_next("demo", published, chunk=2000):
        pass
    rng = random.Random(seed)
    after_due = timedelta(minutes=current_app.config["ENTERPRISE_ESCALATION_MINUTES"])
    duties = list(
        db.session.scalars(
            select(EnterpriseDuty)
            .where(EnterpriseDuty.revision_id == revision.id, EnterpriseDuty.requires_ack.is_(True))
            .order_by(EnterpriseDuty.id)
        )
    )
    if not duties:
        return
    # §5.6's 2 h run from the response start, which may come after the publication.
    due = max(d.due_at or published for d in duties)
    late: list[EnterpriseDuty] = []
    for duty in duties:
        draw = rng.random()
        if draw < 0.08:
            continue  # silent
        _at(now, published + timedelta(minutes=rng.randint(3, 40)), confirm.receive, duty)
        if draw < 0.16:
            continue  # received, never confirmed in place
        if draw < 0.30:
            late.append(duty)
            continue
        _at(now, published + timedelta(minutes=rng.randint(45, 115)), confirm.in_place, duty)
    # What lies after `now` is left to the stored jobs, which run it when its time comes.
    _at(now, due, escalation.remind, revision)
    for duty in late:
        _at(now, due + timedelta(minutes=rng.randint(5, 25)), confirm.in_place, duty)
    _at(now, due + after_due, escalation.report, revision)


def _at(now: datetime, when: datetime, step: Callable[[Any, datetime], object], subject: Any) -> None:
    if when <= now:
        step(subject, when)
