"""robot channels and partner webhooks (issue 7)

Revision ID: 0007_robots_webhooks
Revises: 0006_timed_records
Create Date: 2026-11-23

Partner webhooks get their registry; robots (table from 0004) need no new column: their send
budget lives in the rate limiter (memory or Redis), not in the database.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import notify.models.base  # noqa: F401

revision = '0007_robots_webhooks'
down_revision = '0006_timed_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'partner_webhooks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=200), nullable=False),
        sa.Column('send_json', sa.Boolean(), nullable=False),
        sa.Column('send_cap', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'],
                                name=op.f('fk_partner_webhooks_jurisdiction_id_jurisdictions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_webhooks')),
    )
    with op.batch_alter_table('partner_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_webhooks_jurisdiction_id'), ['jurisdiction_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('partner_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_webhooks_jurisdiction_id'))
    op.drop_table('partner_webhooks')
