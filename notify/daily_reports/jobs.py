"""The two daily jobs of a response (plan §5.4, §7.1), on the jurisdiction's wall clock.

09:30 — units that have not filed today's report are reminded, with their link.
10:00 — the day closes: the office's summary and missing list are frozen into the record and
        the timeline; if the response goes on, every unit gets tomorrow's link.
"""

from __future__ import annotations

from datetime import date, timedelta

from notify import audit, clock, scheduling
from notify.daily_reports import days
from notify.extensions import db
from notify.models import ResponseDay, Warning
from notify.timed import messages
from notify.timed.zone import local_date


def _send_links(warning: Warning, day_row: ResponseDay, unit_ids: set[int] | None, text) -> int:
    phones = days.liaison_phones(warning.jurisdiction_id)
    batch = []
    for unit in days.active_units(warning.jurisdiction_id):
        if unit_ids is not None and unit.id not in unit_ids:
            continue
        body = text(unit, days.link_for(day_row, unit))
        batch += [(n, body) for n in messages.normalise_all(phones.get(unit.id, []))]
    return messages.send_sms(batch, purpose="daily_report")


def remind(warning: Warning, day: date) -> ResponseDay:
    now = clock.now()
    row = days.ensure_day(warning, day)
    missing = days.missing_units(row)
    before = day - timedelta(days=1)
    sent = _send_links(
        warning,
        row,
        {u.id for u in missing},
        lambda unit, link: (
            f"提醒：{unit.name_zh}尚未报送{before.month}月{before.day}日应急措施"
            f"落实情况，请于今日10:00前报送：{link}"
        ),
    )
    row.reminded_at, row.reminded_units = now, len(missing)
    audit.record(
        "daily_report.reminded",
        actor_name="scheduler",
        subject=row,
        warning_id=warning.id,
        summary=f"{day:%m月%d日} 09:30 提醒未报送单位 {len(missing)} 个（短信 {sent} 条）",
        detail={"units": [u.name_zh for u in missing], "sms": sent},
        at=now,
    )
    return row


def close(warning: Warning, day: date) -> ResponseDay:
    now = clock.now()
    row = days.ensure_day(warning, day)
    units = days.active_units(warning.jurisdiction_id)
    filed = days.filed_unit_ids(row)
    missing = [u for u in units if u.id not in filed]
    row.closed_at = now
    row.filed_at_close = sum(1 for u in units if u.id in filed)
    row.missing_at_close = "、".join(u.name_zh for u in missing)
    audit.record(
        "daily_report.closed",
        actor_name="scheduler",
        subject=row,
        warning_id=warning.id,
        summary=f"{day:%m月%d日} 10:00 日报：已报 {row.filed_at_close}/{len(units)}"
        + (f"，未报：{row.missing_at_close}" if missing else "，全部报送"),
        detail={"filed": row.filed_at_close, "units": len(units), "missing": [u.name_zh for u in missing]},
        at=now,
    )
    if warning.status == "active":
        tomorrow = days.ensure_day(warning, day + timedelta(days=1))
        if tomorrow.links_sent_at is None:
            sent = _send_links(
                warning,
                tomorrow,
                None,
                lambda unit, link: (
                    f"{unit.name_zh}：应急响应持续，请于{tomorrow.day.month}月"
                    f"{tomorrow.day.day}日10:00前报送{day.month}月{day.day}日应急措施落实情况：{link}"
                ),
            )
            tomorrow.links_sent_at = now
            audit.record(
                "daily_report.links_sent",
                actor_name="scheduler",
                subject=tomorrow,
                warning_id=warning.id,
                at=now,
                summary=f"{tomorrow.day:%m月%d日}日报链接已发送（短信 {sent} 条）",
            )
    return row


@scheduling.task
def remind_reports() -> None:
    day = local_date(clock.now())
    for warning in days.warnings_reporting_on(day):
        remind(warning, day)


@scheduling.task
def close_reports() -> None:
    day = local_date(clock.now())
    for warning in days.warnings_reporting_on(day):
        close(warning, day)
    db.session.flush()
