"""The plan's forms (附件6, 附件7, 附件8) and the §5.4 report as FormDocs, from the record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.models import DrillRecord, EffectEvaluation, ResponseSummary, Warning, WrittenReport
from notify.records import drills, statistics
from notify.records.exports import FormDoc
from notify.timed.zone import local, to_the_hour


def office_name(warning: Warning) -> str:
    return f"{warning.jurisdiction.name_zh}重污染天气应急指挥部办公室"


def statistics_form(
    warning: Warning, now: datetime | None = None, *, enterprise_rows: Sequence[tuple[str, str]] = ()
) -> FormDoc:
    """附件6 from the record. The enterprises' rows (notify.enterprises.record_figures.form_rows)
    come from the caller: the enterprises package draws on the records' PDF font, so the records
    do not import it back."""
    stats = statistics.for_warning(warning, now)
    summary = db.session.scalar(select(ResponseSummary).where(ResponseSummary.warning_id == warning.id))
    s = summary or ResponseSummary()
    end = to_the_hour(stats.end) if stats.end else "（响应中）"
    rows = [
        ("响应级别", stats.level_text or "—"),
        ("响应开始时间", to_the_hour(stats.start)),
        ("响应结束时间", end),
        ("持续响应时间", f"{stats.hours}小时" + ("（截至目前）" if stats.ongoing else "")),
        ("累计响应时间", f"{stats.cumulative_hours}小时（{stats.year}年{warning.kind.name_zh}）"),
        ("累计响应次数", f"{stats.cumulative_count}次（{stats.year}年{warning.kind.name_zh}）"),
        *enterprise_rows,
        ("应急响应措施总结", s.measures_summary or ""),
        ("取得的成效", s.effects or ""),
        ("发现的问题", s.problems or ""),
        ("改进建议", s.suggestions or ""),
        ("备注", "表格内时间均精确到小时"),
    ]
    return FormDoc(
        title=f"{warning.jurisdiction.name_zh}重污染天气应急响应统计表",
        heading=office_name(warning),
        rows=rows,
        footer=[f"填表人：{s.filled_by or ''}"],
        filename=f"statistics-{warning.reference}",
    )


def written_report_form(report: WrittenReport) -> FormDoc:
    return FormDoc(
        title=report.title, rows=[], body=report.body, filename=f"report-{report.warning.reference}"
    )


def drill_form(record: DrillRecord, warning: Warning, now: datetime | None = None) -> FormDoc:
    a = record.assessment or {}

    def tick(field: str) -> str:
        return "  ".join(
            ("■" if a.get(field) == code else "□") + text for code, text in drills.ASSESSMENT[field][1]
        )

    rows = [
        ("预案名称", "重污染天气应急预案演练记录"),
        ("演练地点", record.location),
        ("组织部门", record.organiser),
        ("总指挥", record.commander),
        ("演练时间", drills.span_text(warning, now)),
        ("参加部门和人员", record.participants),
        ("演练方式", record.method),
        ("预案评审·适宜性", tick("suitability")),
        ("预案评审·充分性", tick("sufficiency")),
        ("人员到位情况", tick("arrival")),
        ("熟练情况", tick("proficiency")),
        ("现场物资", tick("supplies")),
        ("个人防护", tick("protection")),
        ("协调组织情况", tick("coordination")),
        ("实战效果评价", tick("effect")),
        ("支援部门和协作有效性", tick("support")),
        ("存在问题", record.problems),
        ("改进措施", record.improvements),
        ("记录人", record.recorder),
        ("审核人", record.reviewer),
        ("记录时间", local(record.recorded_at).strftime("%Y年%m月%d日") if record.recorded_at else ""),
    ]
    return FormDoc(
        title=f"{warning.jurisdiction.name_zh}重污染天气应急演练记录表",
        rows=rows,
        filename=f"drill-{warning.reference}",
    )


def evaluation_form(ev: EffectEvaluation, warning: Warning, now: datetime | None = None) -> FormDoc:
    f = drills.facts(warning, now or clock.now())
    rows = [
        ("组织单位", ev.organiser),
        ("负责人", ev.lead),
        ("评估组成员", ev.members),
        ("预警级别", f.level_text or "—"),
        ("评估时间", local(ev.evaluated_at).strftime("%Y年%m月%d日") if ev.evaluated_at else ""),
        ("评估内容", ev.content),
    ]
    return FormDoc(
        title=f"{warning.jurisdiction.name_zh}重污染天气应急效果评估表",
        rows=rows,
        filename=f"evaluation-{warning.reference}",
    )
