"""Timed work: jobs kept in the platform's database and run by one scheduler process.

    from notify import scheduling

    @scheduling.task
    def remind(unit_id: int) -> None: ...

    scheduling.schedule_once(remind, run_at, job_id=f"remind:{unit_id}", unit_id=unit_id)
    scheduling.schedule_daily(remind_all, hour=9, minute=30, job_id="reports:remind")
    scheduling.cancel(job_id)
    scheduling.tick()   # tests and the compressed demo day: run what is due now, here

See notify/scheduling/runner.py for where jobs run and README "Timed work" for operating it.
"""

from notify.scheduling.jobs import (
    cancel,
    next_run_time,
    schedule_daily,
    schedule_once,
    standing_daily,
    task,
)
from notify.scheduling.runner import init_app, install_standing, tick

__all__ = [
    "cancel",
    "init_app",
    "install_standing",
    "next_run_time",
    "schedule_daily",
    "schedule_once",
    "standing_daily",
    "task",
    "tick",
]
