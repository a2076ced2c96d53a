"""LED screens, feeds and heartbeats (issue 7)

Revision ID: 0008_screens
Revises: 0007_robots_webhooks
Create Date: 2026-11-23

The screen registry with each screen's feed version and heartbeat deadline, the log of what
raised each feed version, and the offline alarms.
"""
from alembic import op
import sqlalchemy as sa

import notify.models.base  # noqa: F401

revision = '0008_screens'
down_revision = '0007_robots_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('screens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('vendor', sa.String(length=20), nullable=False),
    sa.Column('chars_per_line', sa.Integer(), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('colours', sa.String(length=10), nullable=False),
    sa.Column('heartbeat_interval_s', sa.Integer(), nullable=False),
    sa.Column('is_test', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('feed_version', sa.Integer(), nullable=False),
    sa.Column('feed_digest', sa.String(length=64), nullable=True),
    sa.Column('feed_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_fetch_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offline_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('displayed_version', sa.Integer(), nullable=True),
    sa.Column('displayed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_screens_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_screens_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screens'))
    )
    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screens_heartbeat_due_at'), ['heartbeat_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_screens_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screens_township_id'), ['township_id'], unique=False)

    op.create_table('screen_feed_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_screen_feed_versions_revision_id_revisions')),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screen_feed_versions_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_feed_versions')),
    sa.UniqueConstraint('screen_id', 'version', name=op.f('uq_screen_feed_versions_screen_id_version'))
    )
    with op.batch_alter_table('screen_feed_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_feed_versions_revision_id'), ['revision_id'], unique=False)

    op.create_table('screen_alarms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['screen_id'], ['screens.id'], name=op.f('fk_screen_alarms_screen_id_screens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_alarms'))
    )
    with op.batch_alter_table('screen_alarms', schema=None) as batch_op:
        batch_op.create_index('ix_screen_alarms_screen_id_ended_at', ['screen_id', 'ended_at'], unique=False)


def downgrade():
    with op.batch_alter_table('screen_alarms', schema=None) as batch_op:
        batch_op.drop_index('ix_screen_alarms_screen_id_ended_at')
    op.drop_table('screen_alarms')
    with op.batch_alter_table('screen_feed_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_feed_versions_revision_id'))
    op.drop_table('screen_feed_versions')
    with op.batch_alter_table('screens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screens_township_id'))
        batch_op.drop_index(batch_op.f('ix_screens_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_screens_heartbeat_due_at'))
    op.drop_table('screens')
