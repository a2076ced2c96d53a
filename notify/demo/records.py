"""Demo data for the timed work and records: duty contacts, a morning of daily reports on the
warning in force, its office summary, and a finished exercise with its drill forms.

All of it goes through the same code as the console and the jobs (filing, the 10:00 close, the
lifecycle for the exercise), with times set in the past.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from notify import clock
from notify.audience import audience_size
from notify.daily_reports import days, jobs
from notify.daily_reports.filing import ReportData, file_report
from notify.extensions import db
from notify.lifecycle.guard import ApprovalFormData
from notify.lifecycle.proposals import ProposalData, propose_issue
from notify.models import AlertKind, DutyContact, Jurisdiction, ResponseSummary, User, Warning
from notify.records import drills, forms
from notify.revision_steps import take
from notify.timed import zone

MEASURES = [
    "对辖区重点涉气企业开展夜查，督促落实停限产措施，未发现违规生产。",
    "巡查建筑工地18处，停止土石方作业，落实洒水抑尘和苫盖措施。",
    "在国道207、省道216设卡检查重型柴油货车，劝返国四及以下车辆23辆。",
    "加密道路清扫保洁频次，主干道每日洒水降尘四次。",
]


def seed_contacts(j: Jurisdiction, users: dict[str, User]) -> None:
    # The same made-up mobiles as the member units' audience group (notify/demo/recipients.py).
    for i, unit in enumerate(j.member_units):
        db.session.add(
            DutyContact(
                jurisdiction_id=j.id,
                duty="unit_liaison",
                member_unit_id=unit.id,
                name=f"{unit.name_zh}值班员",
                phone=f"+861390353{100 + i:04d}",
            )
        )
    db.session.add(
        DutyContact(
            jurisdiction_id=j.id,
            duty="office_director",
            name="周主任（应急指挥部办公室）",
            phone="+8613903530001",
        )
    )
    users["deputy"].phone = "+8613903530002"
    users["commander"].phone = "+8613903530003"


def seed_day_of_reports(j: Jurisdiction, now: datetime) -> None:
    """Today's reports on the warning in force, if it owed any: most units filed, then 10:00."""
    today = zone.local_date(now)
    warning = db.session.scalar(
        select(Warning).where(
            Warning.jurisdiction_id == j.id, Warning.status == "active", Warning.is_exercise.is_(False)
        )
    )
    if warning is None or not days.owes_report(warning, today):
        return
    close_at = zone.at(today, days.DUE_HOUR, days.DUE_MINUTE)
    if now < close_at:  # the morning is not over yet: yesterday's day is the finished one
        today -= timedelta(days=1)
        close_at -= timedelta(days=1)
        if not days.owes_report(warning, today):
            return
    day = days.ensure_day(warning, today)
    for i, unit in enumerate(days.active_units(j.id)[:-3]):
        at = close_at - timedelta(minutes=150 - i * 5)
        with clock.simulated(at):
            file_report(
                day,
                unit,
                ReportData(
                    measures=MEASURES[i % len(MEASURES)],
                    reporter_name=f"{unit.name_zh}值班员",
                    inspections=5 + i,
                    problems_found=i % 3,
                    problems_fixed=i % 3,
                ),
                [],
                via="link",
            )
    with clock.simulated(close_at):
        jobs.close(warning, today)
    db.session.add(
        ResponseSummary(
            warning_id=warning.id,
            measures_summary="各成员单位按预案落实Ⅱ级响应措施，重点企业停限产、工地停工、重型货车限行。",
            filled_by="王办公",
        )
    )


def seed_exercise(j: Jurisdiction, users: dict[str, User], now: datetime) -> None:
    """A yellow drill a week ago, through the real lifecycle, reaching the test group only."""
    kind = db.session.scalars(
        select(AlertKind).where(AlertKind.jurisdiction_id == j.id, AlertKind.code == "heavy_pollution")
    ).one()
    level = next(lv for lv in kind.levels if lv.code == "yellow")
    at = (now - timedelta(days=7)).replace(hour=1, minute=0, second=0, microsecond=0)  # 09:00 local
    with clock.simulated(at):
        revision = propose_issue(
            kind,
            ProposalData(
                level=level,
                headline_zh="【演练】盂县发布重污染天气黄色预警，启动Ⅲ级应急响应",
                headline_en="[Exercise] Yu County issues a yellow heavy-pollution warning",
                trend="演练情景：静稳天气，扩散条件不利。",
                aqi_min=150,
                aqi_max=200,
                degree="中度污染",
                primary_pollutant="PM2.5",
                response_start_at=at + timedelta(hours=1),
            ),
            users["office"],
            exercise=True,
        )
    with clock.simulated(at + timedelta(minutes=15)):
        take(
            revision,
            "submit",
            users["office"],
            form=ApprovalFormData(
                basis="年度重污染天气应急演练方案",
                main_content=revision.headline_zh,
                department_opinion="同意开展演练，请审批。",
            ),
        )
    with clock.simulated(at + timedelta(minutes=25)):
        take(
            revision,
            "approve",
            users["deputy"],
            reason="同意演练。",
            confirmed_audience_size=audience_size(revision),
        )
    with clock.simulated(at + timedelta(minutes=40)):
        take(revision, "publish", users["office"])
    db.session.flush()
    office = forms.office_name(revision.warning)
    record = drills.drill_record(revision.warning, office, now=at + timedelta(hours=2))
    record.recorder, record.reviewer = "王办公", "周主任"
    db.session.add(record)
    db.session.add(drills.evaluation(revision.warning, office, now=at + timedelta(hours=3)))
