"""Drill record (附件7) and effect evaluation (附件8) of an exercise, filled from its record.

What the record knows is filled in: when the drill ran (first draft to last publication), who
took part (everyone who acted on it, and the test audience reached), the commander (who
approved), whether the plan's deadlines were met and the messages arrived, and a first choice
for the tick boxes that follows from those facts. The office corrects and completes the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from notify import clock
from notify.extensions import db
from notify.lifecycle import queries
from notify.lifecycle.deadlines import deadlines_for
from notify.models import DrillRecord, EffectEvaluation, Warning
from notify.records.written_report import delivery_figures
from notify.timed.zone import local

# 附件7's tick boxes: field → options, in the form's order. Codes are stored; labels are the form's.
ASSESSMENT: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "suitability": (
        "预案适宜性",
        [("all", "全部能够执行"), ("rough", "执行过程不够顺利"), ("unsuitable", "明显不适宜")],
    ),
    "sufficiency": (
        "预案充分性",
        [("full", "完全满足应急要求"), ("basic", "基本满足"), ("insufficient", "不充分，必须修改")],
    ),
    "arrival": (
        "人员到位情况",
        [
            ("on_time", "迅速准确，基本按时到位"),
            ("some_absent", "个别人员不到位"),
            ("key_absent", "重点部位人员不到位"),
        ],
    ),
    "proficiency": (
        "熟练情况",
        [
            ("skilled", "职责明确，操作熟练"),
            ("unskilled", "职责明确，操作不熟练"),
            ("unclear", "职责不明确，操作不熟练"),
        ],
    ),
    "supplies": (
        "现场物资",
        [
            ("ready", "现场物资准备充分，全部有效"),
            ("short", "现场物资准备不充分"),
            ("lacking", "现场物资准备严重缺乏"),
        ],
    ),
    "protection": (
        "个人防护",
        [("all", "全部人员防护到位"), ("some", "个别人员防护不到位"), ("most", "大部分人员防护不到位")],
    ),
    "coordination": (
        "协调组织情况",
        [("efficient", "准确高效"), ("adequate", "协调基本顺利，能满足要求"), ("slow", "效率低，有待改进")],
    ),
    "effect": (
        "实战效果评价",
        [("met", "达到预期目标"), ("partly", "基本达到目的，部门环节有待改进"), ("missed", "没有达到目标")],
    ),
    "support": (
        "支援部门和协作有效性",
        [
            ("unreachable", "联系不上"),
            ("uncooperative", "不配合"),
            ("slow", "行动迟缓"),
            ("as_required", "按要求协作"),
        ],
    ),
}


def label(field: str, code: str | None) -> str:
    return dict(ASSESSMENT[field][1]).get(code or "", "")


@dataclass(frozen=True)
class DrillFacts:
    started: datetime | None
    finished: datetime | None
    actors: list[str]
    commander: str
    deadlines_met: int
    deadlines_late: int
    sent: int
    delivered: int
    failed: int
    level_text: str


def facts(warning: Warning, now: datetime | None = None) -> DrillFacts:
    now = now or clock.now()
    events = queries.timeline(warning)
    actors = list(dict.fromkeys(e.actor_name for e in events if e.actor_id is not None and e.actor_name))
    published = [r for r in warning.revisions if r.state == "published"]
    approvers = list(dict.fromkeys(r.decided_by.display_name for r in warning.revisions if r.decided_by))
    flags = [d for r in warning.revisions for d in deadlines_for(r, now)]
    sent = delivery_figures(warning)
    levels = " → ".join(
        dict.fromkeys(
            f"{r.level.name_zh}（{r.level.response_level_zh}）" for r in published if r.action != "lift"
        )
    )
    return DrillFacts(
        started=events[0].occurred_at if events else warning.created_at,
        finished=published[-1].published_at if published else None,
        actors=actors,
        commander="、".join(approvers),
        deadlines_met=sum(1 for d in flags if d.status == "met"),
        deadlines_late=sum(1 for d in flags if d.status in ("late", "overdue")),
        sent=sent["total"],
        delivered=sent["delivered"],
        failed=sent["failed"],
        level_text=levels,
    )


def _span(f: DrillFacts) -> str:
    if f.started is None:
        return ""
    end = local(f.finished).strftime("%H:%M") if f.finished else "—"
    return f"{local(f.started).strftime('%Y年%m月%d日 %H:%M')}–{end}"


def suggested_assessment(f: DrillFacts) -> dict[str, str]:
    rate_ok = f.sent > 0 and f.delivered == f.sent
    return {
        "suitability": "all" if f.finished else "rough",
        "coordination": "efficient"
        if f.deadlines_late == 0 and f.finished
        else ("adequate" if f.finished else "slow"),
        "effect": "met" if rate_ok and f.deadlines_late == 0 else ("partly" if f.finished else "missed"),
        "support": "as_required" if f.finished else "slow",
    }


def drill_record(warning: Warning, office_name: str, now: datetime | None = None) -> DrillRecord:
    """The kept record, or a new one filled from the record (not yet added to the session)."""
    kept = db.session.scalar(select(DrillRecord).where(DrillRecord.warning_id == warning.id))
    if kept is not None:
        return kept
    f = facts(warning, now)
    audience = f"；演练测试组接收短信{f.sent}条（送达{f.delivered}条）" if f.sent else ""
    return DrillRecord(
        warning_id=warning.id,
        location=f"{warning.jurisdiction.name_zh}重污染天气应急指挥部（预警信息平台）",
        organiser=office_name,
        commander=f.commander,
        participants="、".join(f.actors) + audience,
        method="桌面推演与实发演练（预警审批、发布、短信发送至演练测试组）",
        assessment=suggested_assessment(f),
        problems=(f"{f.deadlines_late}项时限未按预案完成；" if f.deadlines_late else "")
        + (f"{f.failed}条短信未送达；" if f.failed else ""),
        recorded_at=now or clock.now(),
    )


def evaluation(warning: Warning, office_name: str, now: datetime | None = None) -> EffectEvaluation:
    kept = db.session.scalar(select(EffectEvaluation).where(EffectEvaluation.warning_id == warning.id))
    if kept is not None:
        return kept
    return EffectEvaluation(
        warning_id=warning.id,
        organiser=office_name,
        evaluated_at=now or clock.now(),
        content=evaluation_text(warning, now),
    )


def evaluation_text(warning: Warning, now: datetime | None = None) -> str:
    f = facts(warning, now)
    rate = f"{f.delivered * 100 // f.sent}%" if f.sent else "—"
    lines = [
        f"演练时间：{_span(f)}。预警级别：{f.level_text or '—'}。",
        f"流程：审批、发布全流程在平台上完成，参与人员：{'、'.join(f.actors) or '—'}。",
        f"时限：按预案（审批表1小时内填报、审批后2小时内发布）检查，按时{f.deadlines_met}项，"
        f"超时{f.deadlines_late}项。",
        f"信息发送：演练短信{f.sent}条，送达{f.delivered}条，未送达{f.failed}条，送达率{rate}；"
        f"仅发送至演练测试组，公众网站未显示。",
    ]
    return "\n".join(lines)


def span_text(warning: Warning, now: datetime | None = None) -> str:
    return _span(facts(warning, now))
