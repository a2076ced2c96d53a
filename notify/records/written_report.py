"""The written report to the county government and the city office (plan §5.4), drafted from
the record: level, publication time, primary pollutant, level changes, measures taken, effect.

The office edits the draft before it goes out; the edited text is kept (WrittenReport) and the
draft can be made again from the record at any time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, cast, func, select

from notify import clock
from notify.extensions import db
from notify.models import (
    DailyReport,
    Delivery,
    ResponseDay,
    ResponseSummary,
    UnitTask,
    Warning,
    WrittenReport,
)
from notify.models.deliveries import Status
from notify.records import statistics
from notify.timed.zone import local

ACTION_ZH = {"issue": "发布", "upgrade": "升级为", "downgrade": "降级为", "extend": "延长", "lift": "解除"}


def _t(value: datetime | None) -> str:
    return local(value).strftime("%Y年%m月%d日%H时%M分") if value else "—"


def delivery_figures(warning: Warning) -> dict[str, int]:
    rows = (
        db.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.revision_id.in_([r.id for r in warning.revisions if r.state == "published"]))
            .group_by(Delivery.status)
        ).all()
        if warning.revisions
        else []
    )
    counts = {status: n for status, n in rows}
    return {
        "total": sum(counts.values()),
        "delivered": counts.get(Status.DELIVERED, 0),
        "failed": sum(
            counts.get(s, 0) for s in (Status.FAILED, Status.UNDELIVERED, Status.DEAD, Status.EXPIRED)
        ),
    }


def report_figures(warning: Warning) -> dict[str, int]:
    row = db.session.execute(
        select(
            func.count(DailyReport.id),
            func.coalesce(func.sum(DailyReport.inspections), 0),
            func.coalesce(func.sum(DailyReport.problems_found), 0),
            func.coalesce(func.sum(DailyReport.problems_fixed), 0),
            func.coalesce(func.sum(cast(DailyReport.late, Integer)), 0),
        )
        .join(ResponseDay)
        .where(ResponseDay.warning_id == warning.id)
    ).one()
    days = db.session.scalar(
        select(func.count())
        .select_from(ResponseDay)
        .where(ResponseDay.warning_id == warning.id, ResponseDay.closed_at.is_not(None))
    )
    units = (
        db.session.scalar(
            select(func.count(func.distinct(UnitTask.member_unit_id))).where(
                UnitTask.revision_id.in_([r.id for r in warning.revisions])
            )
        )
        if warning.revisions
        else 0
    )
    return {
        "reports": row[0],
        "inspections": row[1],
        "problems_found": row[2],
        "problems_fixed": row[3],
        "late": row[4],
        "days": days or 0,
        "units_tasked": units or 0,
    }


def draft(warning: Warning, now: datetime | None = None) -> tuple[str, str]:
    now = now or clock.now()
    published = [r for r in warning.revisions if r.state == "published"]
    if not published:
        raise ValueError("a warning that was never published has nothing to report")
    first = published[0]
    current = [r for r in published if r.action != "lift"][-1]
    stats = statistics.for_warning(warning, now)
    name = warning.jurisdiction.name_zh
    level = stats.highest or current.level
    drill = "（演练）" if warning.is_exercise else ""
    title = (
        f"关于{name}{warning.kind.name_zh}{level.name_zh}{level.response_level_zh}应急响应情况的报告{drill}"
    )
    pollutant = "、".join(dict.fromkeys(r.primary_pollutant for r in published if r.primary_pollutant)) or "—"
    lines = ["县人民政府、市重污染天气应急指挥部办公室：", ""]
    basis = first.consultation.conclusion if first.consultation else first.trend
    lines.append(f"　　{basis}".rstrip() if basis else "")
    lines.append(
        f"　　{name}重污染天气应急指挥部于{_t(first.published_at)}发布{first.level.name_zh}"
        f"（预警编号 {warning.reference}），{_t(first.response_start_at or first.published_at)}启动"
        f"{first.level.response_level_zh}应急响应。首要污染物为{pollutant}"
        + (f"，预测AQI {first.aqi_min or ''}–{first.aqi_max}" if first.aqi_max else "")
        + "。"
    )
    lines += ["", "　　一、预警级别及变化情况"]
    for r in published:
        lines.append(
            f"　　{_t(r.published_at)}，{ACTION_ZH.get(r.action, r.action)}{r.level.name_zh}"
            + (f"（{r.level.response_level_zh}）" if r.action != "lift" else "，应急响应终止")
            + (f"，AQI {r.aqi_min or ''}–{r.aqi_max}" if r.aqi_max and r.action != "lift" else "")
            + "。"
        )
    if stats.start:
        lines.append(
            f"　　响应自{stats.start and local(stats.start).strftime('%Y年%m月%d日%H时')}起"
            + (
                f"至{local(stats.end).strftime('%Y年%m月%d日%H时')}，持续{stats.hours}小时。"
                if stats.end
                else f"，截至目前已持续{stats.hours}小时。"
            )
            + f"本年度第{stats.cumulative_count}次{warning.kind.name_zh}应急响应，"
            f"累计响应{stats.cumulative_hours}小时。"
        )
    reports = report_figures(warning)
    lines += ["", "　　二、采取的应急响应措施"]
    lines.append(
        f"　　向{reports['units_tasked']}个成员单位下达了应急响应任务。各成员单位按预案落实"
        f"{current.level.response_level_zh}措施，共报送日报{reports['reports']}份"
        + (f"（逾期{reports['late']}份）" if reports["late"] else "")
        + f"，检查企业、工地{reports['inspections']}家次，发现问题{reports['problems_found']}个，"
        f"整改到位{reports['problems_fixed']}个。"
    )
    for item in (
        (current.snapshot.content.get("advisories", {}).get("mandatory") or [])[:3]
        if current.snapshot
        else []
    ):
        lines.append(f"　　{item.get('zh', '')}")
    summary = db.session.scalar(select(ResponseSummary).where(ResponseSummary.warning_id == warning.id))
    if summary is not None and summary.measures_summary:
        lines.append(f"　　{summary.measures_summary}")
    sent = delivery_figures(warning)
    lines += ["", "　　三、取得的效果"]
    lines.append(
        f"　　预警信息短信发送{sent['total']}条，送达{sent['delivered']}条"
        + (f"，送达率{sent['delivered'] * 100 // sent['total']}%" if sent["total"] else "")
        + "。"
    )
    if summary is not None and summary.effects:
        lines.append(f"　　{summary.effects}")
    lines += ["", f"{name}重污染天气应急指挥部办公室", local(now).strftime("%Y年%m月%d日")]
    return title, "\n".join(lines)


def kept(warning: Warning) -> WrittenReport | None:
    return db.session.scalar(select(WrittenReport).where(WrittenReport.warning_id == warning.id))
