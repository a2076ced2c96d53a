"""scheduled publication, daily reports, statistics, drills (issue 6)

Revision ID: 0006_timed_records
Revises: 0005_schools
Create Date: 2026-11-23

A placeholder in the chain until its issue's tables land here, so that work on several issues
can proceed side by side without competing migration heads.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import notify.models.base  # noqa: F401

revision = '0006_timed_records'
down_revision = '0005_schools'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
