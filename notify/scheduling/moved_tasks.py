"""Stored jobs name their function as text ("module:name"): when a task moves, the jobs already
in the store must follow it, or APScheduler cannot load them and drops them (a timed publication
set before an upgrade would silently never happen). A migration calls point_jobs_at() for each
task it moves.
"""

from __future__ import annotations

import pickle

from sqlalchemy import Connection, select, update

from notify.models.scheduling import scheduled_jobs


def point_jobs_at(conn: Connection, old: str, new: str) -> int:
    """Rewrite the function reference of every stored job that names `old` to `new`; returns how
    many jobs were rewritten. Everything else of a job (its trigger, arguments, next run) stays."""
    moved = 0
    for job_id, state in conn.execute(select(scheduled_jobs.c.id, scheduled_jobs.c.job_state)):
        # APScheduler's own format (SQLAlchemyJobStore): a pickled dict written by this platform.
        job = pickle.loads(state)
        if job.get("func") != old:
            continue
        job["func"] = new
        conn.execute(
            update(scheduled_jobs)
            .where(scheduled_jobs.c.id == job_id)
            .values(job_state=pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
        )
        moved += 1
    return moved
