"""robot channels and partner webhooks (issue 7)

Revision ID: 0007_robots_webhooks
Revises: 0006_timed_records
Create Date: 2026-11-23

A placeholder in the chain until its issue's tables land here, so that work on several issues
can proceed side by side without competing migration heads.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import notify.models.base  # noqa: F401

revision = '0007_robots_webhooks'
down_revision = '0006_timed_records'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
