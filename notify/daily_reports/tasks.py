"""Tasks to the member units when a response starts (plan §5.6: notified within 2 h of approval).

Each active unit's liaisons get one SMS: the level, the response start, where to read the
measures and file the daily report (a signed link for the first response day).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from notify import audit, clock, scheduling
from notify.daily_reports import days
from notify.extensions import db
from notify.models import Revision, UnitTask
from notify.timed import messages
from notify.timed.zone import hm, local_date


def job_id(revision_id: int) -> str:
    return f"unit_tasks:{revision_id}"


def watch_response_start(revision: Revision, now: datetime) -> None:
    """A published issue, upgrade, downgrade or extension starts (or changes) the response."""
    if revision.warning.is_exercise or revision.action == "lift":
        return
    run_at = max(revision.response_start_at or now, now)
    scheduling.schedule_once(send_unit_tasks, run_at, job_id=job_id(revision.id), revision_id=revision.id)


def task_text(revision: Revision, unit_name: str, first_day, link: str) -> str:
    warning, level = revision.warning, revision.level
    start = revision.response_start_at or revision.published_at
    verb = {"issue": "启动", "upgrade": "升级", "downgrade": "调整", "extend": "延长"}.get(
        revision.action, "启动"
    )
    return (
        f"{unit_name}：{warning.kind.name_zh}"
        f"{level.name_zh}（{level.response_level_zh}）于{hm(start)}{verb}，请立即按预案落实本单位"
        f"应急措施，并于{first_day.month}月{first_day.day}日10:00前报送前一日落实情况：{link}"
    )


@scheduling.task
def send_unit_tasks(revision_id: int) -> None:
    revision = db.session.get(Revision, revision_id)
    if revision is None or revision.state != "published":
        return
    warning = revision.warning
    current = warning.current
    if warning.status != "active" or current is None or current.id != revision.id:
        return  # superseded or lifted before the response started: the newer revision decides
    if db.session.scalar(select(UnitTask.id).where(UnitTask.revision_id == revision.id).limit(1)):
        return  # already sent (a job is never meant to run twice, but a retry must not resend)
    now = clock.now()
    first_day = local_date(max(revision.response_start_at or now, now)) + timedelta(days=1)
    day_row = days.ensure_day(warning, first_day)
    phones = days.liaison_phones(warning.jurisdiction_id)
    sms, tasks = [], []
    for unit in days.active_units(warning.jurisdiction_id):
        numbers = messages.normalise_all(phones.get(unit.id, []))
        text = task_text(revision, unit.name_zh, first_day, days.link_for(day_row, unit))
        sms += [(n, text) for n in numbers]
        tasks.append(
            {"revision_id": revision.id, "member_unit_id": unit.id, "sent_at": now, "messages": len(numbers)}
        )
    if tasks:
        db.session.execute(insert(UnitTask.__table__), tasks)
    sent = messages.send_sms(sms, purpose="unit_task", now=now)
    day_row.links_sent_at = day_row.links_sent_at or now
    without = sum(1 for t in tasks if t["messages"] == 0)
    audit.record(
        "unit_tasks.sent",
        actor_name="scheduler",
        subject=revision,
        warning_id=warning.id,
        summary=f"{warning.reference} #{revision.sequence}: 任务已下达 {len(tasks)} 个成员单位，"
        f"短信 {sent} 条" + (f"；{without} 个单位无联络手机" if without else ""),
        detail={
            "units": len(tasks),
            "sms": sent,
            "units_without_mobile": without,
            "first_report_day": first_day.isoformat(),
        },
        at=now,
    )
