"""The public site's export requests, runner state and database identity

Revision ID: 0015_site_exports
Revises: 0014_dispatch_plans
Create Date: 2026-11-25

- site_export_requests: a change to what the public sees asks for an export in its own
  transaction; the export runner takes them all and exports once, off the request;
- site_export_state: one row (made at the first export): this database's random install id, which
  the export folder's owner marker names, the exporter's lease, and the current failure streak
  (attempts, last error, next try) that the console shows as an alarm.
"""
from alembic import op
import sqlalchemy as sa

import notify.models.base

revision = '0015_site_exports'
down_revision = '0014_dispatch_plans'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_export_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_export_requests'))
    )
    op.create_table('site_export_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('install_id', sa.String(length=32), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=False),
    sa.Column('lease_until', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_exported_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failing_since', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('retry_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_export_state'))
    )


def downgrade():
    op.drop_table('site_export_state')
    op.drop_table('site_export_requests')
