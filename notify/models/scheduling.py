"""The table APScheduler's SQLAlchemy job store keeps its jobs in.

APScheduler creates it itself when it is missing; declaring it here as well puts it under
Alembic, so `flask db upgrade` creates it and the schema check sees it. The columns are exactly
APScheduler 3's (apscheduler.jobstores.sqlalchemy).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode

from notify.models.base import Base

JOBS_TABLE = "scheduled_jobs"

scheduled_jobs = Table(
    JOBS_TABLE,
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
