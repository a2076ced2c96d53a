"""One plant's plan (一厂一策) as a PDF to print and file: the enterprise's facts, its lines with
the three capacities and the basis, then per response level the measure, the lines and processes
to stop, the shares, the preparation time, the key indicators and the people responsible, and
the version with its approval (seed 001 §六(六)).

The layout is the plan's own document, so its labels are the Chinese of the seed, like the
records' forms (notify/records/forms.py).
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from notify.channels import phone
from notify.enterprises import industries
from notify.enterprises.plans import response_levels
from notify.models import EnterprisePlan

# The one place that finds (or falls back from) the CJK font, shared with the records' forms.
from notify.records.exports import _font
from notify.timed.zone import local

STATE_ZH = {"draft": "草稿（未批准）", "approved": "已批准（现行）", "superseded": "已被新版本替代"}
TRUCKS_ZH = {
    "china3": "国三",
    "china4": "国四",
    "china5": "国五",
    "china6": "国六",
    "electric": "新能源（电动）",
}
GRADE_ZH = {
    "A": "A级",
    "B": "B级",
    "C": "C级",
    "D": "D级",
    "leading": "引领性",
    "non_leading": "非引领性",
    "exempt": "豁免",
}


def _figure(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


def _when(value) -> str:
    return local(value).strftime("%Y年%m月%d日 %H:%M") if value else "—"


def facts_rows(plan: EnterprisePlan) -> list[tuple[str, str]]:
    e = plan.enterprise
    emissions = "；".join(
        f"{name} {_figure(value)} 吨/年"
        for name, value in (
            ("SO₂", e.so2_tpa),
            ("NOx", e.nox_tpa),
            ("颗粒物", e.pm_tpa),
            ("VOCs", e.vocs_tpa),
        )
    )
    freight = f"{_figure(e.freight_tpa)} 吨/年" + (
        f"，重型运输车辆排放标准：{TRUCKS_ZH.get(e.truck_standard, e.truck_standard)}"
        if e.truck_standard
        else ""
    )
    return [
        ("企业名称", e.name),
        ("统一社会信用代码", e.credit_code),
        ("所在乡镇", e.township.name_zh if e.township else ""),
        ("地址", e.address or "—"),
        ("行业类别", industries.label(e.industry, e.subtype)),
        ("绩效等级", GRADE_ZH.get(e.grade, e.grade)),
        ("法定代表人", e.legal_person or "—"),
        ("环保负责人", f"{e.env_officer}  {e.env_officer_phone}"),
        ("主要污染物年排放量", emissions),
        ("运输量（含重型运输车辆）", freight),
    ]


def _level_rows(level: dict[str, Any], names: dict[int, str], show_phone) -> list[tuple[str, str]]:
    rows = [("应急减排措施", level.get("text") or "—")]
    rows.append(("停产生产线", "、".join(names.get(i, f"#{i}") for i in level.get("lines", [])) or "—"))
    rows.append(("停产（限产）工艺环节", "、".join(level.get("processes", [])) or "—"))
    if level.get("stop_share") is not None:
        rows.append(("停产比例", f"{level['stop_share']}%"))
    if level.get("limit_share") is not None:
        rows.append(("限产比例", f"{level['limit_share']}%"))
    if level.get("rotation_batches"):
        rows.append(("轮流停产批次", f"{level['rotation_batches']} 批"))
    prep = level.get("prep_hours")
    rows.append(("应急准备时间", "—" if prep is None else f"{prep} 小时"))
    indicators = [
        f"{i.get('name', '')}：{i.get('value') if i.get('value') not in (None, '') else '（待企业填报）'}"
        f" {i.get('unit', '')}".rstrip()
        for i in level.get("indicators", [])
    ]
    rows.append(("关键性指标", "\n".join(indicators) or "—"))
    people = [
        "  ".join(p for p in (r.get("duty", ""), r.get("name", ""), show_phone(r.get("phone", ""))) if p)
        for r in level.get("responsible", [])
    ]
    rows.append(("减排工序责任人及联系方式", "\n".join(people) or "—"))
    return rows


def approval_lines(plan: EnterprisePlan) -> list[str]:
    lines = [f"版本：第 {plan.version} 版（{STATE_ZH.get(plan.state, plan.state)}）"]
    lines.append(
        f"编制：{plan.created_by.display_name if plan.created_by else '—'}  {_when(plan.created_at)}"
    )
    if plan.approved_by is not None:
        lines.append(f"批准：{plan.approved_by.display_name}  {_when(plan.approved_at)}")
    else:
        lines.append("批准：（未批准）")
    return lines


def pdf(plan: EnterprisePlan, *, full_numbers: bool = True) -> bytes:
    """The plan as an A4 PDF; `full_numbers` False masks the responsible people's phones."""
    # reportlab (about 0.1 s to import) loads when a PDF is asked for, not in every app process.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=font, fontSize=12.5, leading=18, wordWrap="CJK")
    normal = ParagraphStyle("normal", fontName=font, fontSize=10, leading=14.5, wordWrap="CJK")
    small = ParagraphStyle("small", parent=normal, fontSize=9, leading=12, alignment=1)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )

    def para(text: Any, style=normal) -> Paragraph:
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)

    def label_table(rows: list[tuple[str, str]]) -> Table:
        table = Table([[para(a, small), para(b)] for a, b in rows], colWidths=[42 * mm, 128 * mm])
        table.setStyle(grid)
        return table

    def show_phone(number: str) -> str:
        return number if full_numbers or not number else phone.mask(number)

    e = plan.enterprise
    story: list[Any] = [
        para(f"{e.name}重污染天气应急减排“一厂一策”实施方案", title),
        Spacer(1, 2 * mm),
        para("　".join(approval_lines(plan)), small),
        Spacer(1, 4 * mm),
        para("一、企业基本情况", heading),
        label_table(facts_rows(plan)),
        Spacer(1, 4 * mm),
        para("二、主要生产线及涉气工艺环节", heading),
    ]
    header = [
        "生产线",
        "工艺环节",
        "涉气",
        "环评批复产能",
        "排污许可产能",
        "上年实际产量",
        "核算基数",
        "单位",
    ]
    body = [
        [
            para(line.name),
            para(line.processes),
            para("是" if line.emits else "否", small),
            para(_figure(line.capacity_eia), small),
            para(_figure(line.capacity_permit), small),
            para(_figure(line.capacity_actual), small),
            para(_figure(line.basis), small),
            para(line.unit, small),
        ]
        for line in e.lines
    ] or [[para("（未登记生产线）")] + [""] * 7]
    lines_table = Table(
        [[para(h, small) for h in header], *body],
        colWidths=[24 * mm, 34 * mm, 12 * mm, 21 * mm, 21 * mm, 21 * mm, 19 * mm, 18 * mm],
        repeatRows=1,
    )
    lines_table.setStyle(grid)
    story += [lines_table, Spacer(1, 2 * mm)]
    story.append(
        para("核算基数：环评批复产能、排污许可载明产能、前一年正常生产实际产量三者日均值的最小值。", small)
    )
    story += [Spacer(1, 4 * mm), para("三、不同级别预警应急减排措施", heading)]
    names = {line.id: line.name for line in e.lines}
    levels = {lv.numeral: lv for lv in response_levels(e.jurisdiction_id)}
    for response, level in (plan.levels or {}).items():
        known = levels.get(response)
        caption = (
            f"{known.name_zh}（{known.response_level_zh or response + '级应急响应'}）" if known else response
        )
        story += [
            Spacer(1, 2 * mm),
            para(caption, heading),
            label_table(_level_rows(level, names, show_phone)),
        ]
    story += [Spacer(1, 6 * mm)] + [para(line) for line in approval_lines(plan)]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"{e.name} 一厂一策 v{plan.version}",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    ).build(story)
    return out.getvalue()


def filename(plan: EnterprisePlan) -> str:
    return f"plan-{plan.enterprise.credit_code}-v{plan.version}.pdf"
