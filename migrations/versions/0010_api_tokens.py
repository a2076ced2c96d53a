"""JSON API integrations and their tokens (issue 7)

Revision ID: 0010_api_tokens
Revises: 0009_cap_public
Create Date: 2026-11-23

A placeholder in the chain until its issue's tables land here, so that work on several issues
can proceed side by side without competing migration heads.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import notify.models.base  # noqa: F401

revision = '0010_api_tokens'
down_revision = '0009_cap_public'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
