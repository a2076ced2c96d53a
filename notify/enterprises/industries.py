"""The industries and sub-types of 附件11 (seed 000), and the grades each is rated in.

An industry proper is graded A–D; the sub-types the appendix names in its last two columns
(粉磨站, 非烧结砖, 不定型耐火制品, 粉末涂料 …) are graded 引领性 / 非引领性. 铸造 splits into
铸件 and 铸造用生铁, both graded A–D. 露天开采 stops at every level whatever its grade, and
其他类行业 follows the city's list (its measure is entered per enterprise in its own plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

ABCD = ("A", "B", "C", "D")
LEADING = ("leading", "non_leading")


@dataclass(frozen=True)
class Subtype:
    code: str
    name_zh: str
    name_en: str
    grades: tuple[str, ...]


@dataclass(frozen=True)
class Industry:
    code: str
    name_zh: str
    name_en: str
    # "" is the industry proper; its grades are those of the "" entry.
    subtypes: dict[str, Subtype] = field(default_factory=dict)

    def grades(self, subtype: str = "") -> tuple[str, ...]:
        return self.subtypes[subtype].grades


def _industry(code: str, zh: str, en: str, *subtypes: Subtype, grades: tuple[str, ...] = ABCD) -> Industry:
    proper = Subtype("", zh, en, grades)
    return Industry(code, zh, en, {"": proper, **{s.code: s for s in subtypes}})


INDUSTRIES: dict[str, Industry] = {
    i.code: i
    for i in (
        _industry("lime_kiln", "石灰窑", "Lime kilns"),
        _industry(
            "foundry",
            "铸造",
            "Foundries",
            Subtype("castings", "铸件", "Castings", ABCD),
            Subtype("foundry_pig_iron", "铸造用生铁", "Foundry pig iron", ABCD),
        ),
        _industry(
            "cement",
            "水泥",
            "Cement",
            Subtype(
                "grinding_station",
                "粉磨站（系统）、矿渣粉、水泥制品",
                "Grinding stations, slag powder, cement products",
                LEADING,
            ),
        ),
        _industry(
            "brick_tile",
            "砖瓦窑",
            "Brick and tile kilns",
            Subtype("non_sintered_brick", "非烧结砖", "Non-sintered bricks", LEADING),
        ),
        _industry(
            "refractory",
            "耐火材料",
            "Refractories",
            Subtype("unshaped_refractory", "不定型耐火制品", "Unshaped refractories", LEADING),
        ),
        _industry(
            "coating_manufacture",
            "涂料制造",
            "Coatings manufacture",
            Subtype("powder_coating", "粉末涂料制造", "Powder coatings manufacture", LEADING),
        ),
        _industry(
            "furniture",
            "家具制造",
            "Furniture",
            Subtype(
                "powder_coated_furniture", "使用粉末涂料家具制造", "Furniture with powder coatings", LEADING
            ),
        ),
        _industry("industrial_coating", "工业涂装", "Industrial coating"),
        _industry("packaging_printing", "包装印刷", "Packaging and printing"),
        # 露天开采: 全部停产 at every level, for every grade.
        _industry("open_pit_mining", "露天开采", "Open-pit mining"),
        _industry("other", "其他类行业", "Other industries"),
    )
}

GRADE_LABELS = {
    "A": _l("Grade A"),
    "B": _l("Grade B"),
    "C": _l("Grade C"),
    "D": _l("Grade D"),
    "leading": _l("Leading (引领性)"),
    "non_leading": _l("Non-leading (非引领性)"),
    "exempt": _l("Exempt"),
}
GRADE_ALIASES = {
    "A级": "A",
    "B级": "B",
    "C级": "C",
    "D级": "D",
    "引领性": "leading",
    "非引领性": "non_leading",
    "豁免": "exempt",
}
EXEMPT_LABELS = {
    "livelihood": _l("Essential to people's livelihood (保民生)"),
    "heat_based": _l("Production set by heating demand (以热定产)"),
    "micro": _l("Micro-enterprise (小微涉气企业)"),
}
EXEMPT_ALIASES = {"保民生": "livelihood", "以热定产": "heat_based", "小微": "micro", "小微涉气企业": "micro"}


def find(text: str) -> tuple[str, str] | None:
    """(industry, subtype) for a code or a Chinese name of either; None if unknown."""
    text = text.strip()
    for industry in INDUSTRIES.values():
        for subtype in industry.subtypes.values():
            if text in (subtype.code or industry.code, subtype.name_zh) or (
                subtype.code and text == f"{industry.code}/{subtype.code}"
            ):
                return industry.code, subtype.code
    return None


def grades_for(industry: str, subtype: str = "") -> tuple[str, ...]:
    """The grades an (industry, subtype) can hold, "exempt" always among them."""
    return INDUSTRIES[industry].grades(subtype) + ("exempt",)


def label(industry: str, subtype: str = "", locale: str = "zh") -> str:
    entry = INDUSTRIES.get(industry)
    if entry is None:
        return industry
    proper, sub = entry.subtypes[""], entry.subtypes.get(subtype)
    if locale.startswith("zh"):
        return proper.name_zh if sub is None or not subtype else f"{proper.name_zh}·{sub.name_zh}"
    return proper.name_en if sub is None or not subtype else f"{proper.name_en} · {sub.name_en}"
