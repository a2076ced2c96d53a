"""Stored jobs follow the tasks that moved with publication as one step (issue 14)

Revision ID: 0016_moved_tasks
Revises: 0015_site_exports
Create Date: 2026-12-04

A timed publication set before this version is stored as a job naming
notify.timed.publication:publish_when_due; that task is now
notify.scheduled_publication:publish_when_due (publishing is a use case above the timed jobs).
Without this step APScheduler could not load such a job and would drop it.
"""

from alembic import op

from notify.scheduling.moved_tasks import point_jobs_at

revision = "0016_moved_tasks"
down_revision = "0015_site_exports"
branch_labels = None
depends_on = None

OLD = "notify.timed.publication:publish_when_due"
NEW = "notify.scheduled_publication:publish_when_due"


def upgrade() -> None:
    point_jobs_at(op.get_bind(), OLD, NEW)


def downgrade() -> None:
    point_jobs_at(op.get_bind(), NEW, OLD)
