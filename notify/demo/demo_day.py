"""`flask demo-day`: a response day compressed into a minute, for the demo.

It plays the next response day of the demo's active warning on a simulated clock: units file
their reports through the same filing code as the link page through the morning, the 09:30
reminder and the 10:00 close run (the very job functions the scheduler calls), and the day's
record, timeline and SMS appear in the console as they would over a real morning. Only this
command's thread sees the simulated time; the messages it queues are sent for real to the
stand-ins.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

import click
from sqlalchemy import select

from notify import clock
from notify.daily_reports import days, jobs
from notify.daily_reports.filing import ReportData, existing, file_report
from notify.extensions import db
from notify.models import Jurisdiction, Warning
from notify.timed import zone

MEASURES = [
    "对辖区重点企业开展夜查，督促落实停限产措施，未发现违规生产。",
    "出动执法人员巡查建筑工地，停止土石方作业，落实洒水抑尘和苫盖。",
    "在国道、省道设卡检查重型柴油货车，劝返国四及以下车辆。",
    "加密道路清扫保洁频次，主干道每日洒水降尘四次。",
    "督促供热企业保证污染治理设施正常运行，在线监测数据正常。",
]


def _steps(day: date, filers: list, latecomers: list):
    start = zone.at(day, 7, 0)
    yield start, "start", None
    for i, unit in enumerate(filers):
        yield start + timedelta(minutes=5 + i * 140 // max(len(filers), 1)), "file", unit
    yield zone.at(day, 9, 30), "remind", None
    for i, unit in enumerate(latecomers):
        yield zone.at(day, 9, 35 + i * 5), "file", unit
    yield zone.at(day, 10, 0), "close", None


def play(warning, day: date, *, seconds: float = 0.0, echo=print, seed: int = 6) -> dict:
    rng = random.Random(seed)
    units = days.active_units(warning.jurisdiction_id)
    with clock.simulated(zone.at(day, 7, 0)):
        day_row = days.ensure_day(warning, day)
        db.session.commit()
    pending = [u for u in units if existing(day_row, u) is None]
    rng.shuffle(pending)
    early = pending[: len(pending) * 2 // 3]
    late = pending[len(early) : len(early) + max(len(pending) // 6, 1)]
    steps = list(_steps(day, early, late))
    pause = seconds / max(len(steps), 1)
    filed = 0
    for at, what, unit in steps:
        with clock.simulated(at):
            stamp = zone.local(at).strftime("%H:%M")
            if what == "file":
                file_report(
                    day_row,
                    unit,
                    ReportData(
                        measures=rng.choice(MEASURES),
                        reporter_name=f"{unit.name_zh}联络员",
                        inspections=rng.randint(3, 30),
                        problems_found=(found := rng.randint(0, 4)),
                        problems_fixed=rng.randint(0, found),
                    ),
                    [],
                    via="link",
                )
                filed += 1
                echo(f"{stamp}  {unit.name_zh} files its report")
            elif what == "remind":
                jobs.remind(warning, day)
                echo(f"{stamp}  09:30 reminder: {day_row.reminded_units} units texted")
            elif what == "close":
                jobs.close(warning, day)
                echo(
                    f"{stamp}  10:00 close: {day_row.filed_at_close}/{len(units)} filed; "
                    f"missing: {day_row.missing_at_close or 'none'}"
                )
            else:
                echo(f"{stamp}  response day {day} of {warning.reference} begins")
            db.session.commit()
        if pause:
            time.sleep(pause)
    return {"filed": filed, "units": len(units), "day": day_row}


def run(jurisdiction_code: str, day_text: str | None, seconds: float, echo=click.echo) -> None:
    """`flask demo-day`: the active warning of the jurisdiction, on the given day (default tomorrow)."""
    j = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
    warning = db.session.scalar(
        select(Warning)
        .where(
            Warning.jurisdiction_id == (j.id if j else -1),
            Warning.status == "active",
            Warning.is_exercise.is_(False),
        )
        .order_by(Warning.id.desc())
    )
    if warning is None:
        raise click.ClickException("no active warning to play a response day of (run flask seed-demo)")
    day = (
        datetime.strptime(day_text, "%Y-%m-%d").date()
        if day_text
        else zone.local_date(clock.now()) + timedelta(days=1)
    )
    echo(f"Compressed response day {day} of {warning.reference} ({seconds:g} s):")
    result = play(warning, day, seconds=seconds, echo=echo)
    echo(f"Done: {result['filed']} reports filed. Console: /admin/daily-reports/{result['day'].id}")
