"""scheduled publication, deadline alerts, daily reports, response records, drills (issue 6)

Revision ID: 0006_timed_records
Revises: 0005_schools
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

import notify.models.base  # noqa: F401

revision = '0006_timed_records'
down_revision = '0005_schools'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('duty_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=30), nullable=False),
    sa.Column('member_unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_duty_contacts_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['member_unit_id'], ['member_units.id'], name=op.f('fk_duty_contacts_member_unit_id_member_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_contacts')),
    sa.UniqueConstraint('jurisdiction_id', 'duty', 'member_unit_id', 'phone', name=op.f('uq_duty_contacts_jurisdiction_id_duty_member_unit_id_phone'))
    )
    with op.batch_alter_table('duty_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_contacts_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_contacts_member_unit_id'), ['member_unit_id'], unique=False)
    op.create_table('drill_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('commander', sa.String(length=100), nullable=False),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=200), nullable=False),
    sa.Column('assessment', sa.JSON(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('improvements', sa.Text(), nullable=False),
    sa.Column('recorder', sa.String(length=100), nullable=False),
    sa.Column('reviewer', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_drill_records_updated_by_id_users')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_drill_records_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_records')),
    sa.UniqueConstraint('warning_id', name=op.f('uq_drill_records_warning_id'))
    )
    op.create_table('effect_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('lead', sa.String(length=100), nullable=False),
    sa.Column('members', sa.Text(), nullable=False),
    sa.Column('evaluated_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_effect_evaluations_updated_by_id_users')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_effect_evaluations_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_effect_evaluations')),
    sa.UniqueConstraint('warning_id', name=op.f('uq_effect_evaluations_warning_id'))
    )
    op.create_table('response_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('due_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=True),
    sa.Column('links_sent_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_units', sa.Integer(), nullable=False),
    sa.Column('closed_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('filed_at_close', sa.Integer(), nullable=True),
    sa.Column('missing_at_close', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['level_id'], ['levels.id'], name=op.f('fk_response_days_level_id_levels')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_response_days_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_days')),
    sa.UniqueConstraint('warning_id', 'day', name=op.f('uq_response_days_warning_id_day'))
    )
    with op.batch_alter_table('response_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_days_warning_id'), ['warning_id'], unique=False)
    op.create_table('response_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('measures_summary', sa.Text(), nullable=False),
    sa.Column('effects', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('suggestions', sa.Text(), nullable=False),
    sa.Column('filled_by', sa.String(length=100), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_response_summaries_updated_by_id_users')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_response_summaries_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_summaries')),
    sa.UniqueConstraint('warning_id', name=op.f('uq_response_summaries_warning_id'))
    )
    op.create_table('written_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('drafted_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('edited_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['edited_by_id'], ['users.id'], name=op.f('fk_written_reports_edited_by_id_users')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_written_reports_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_reports')),
    sa.UniqueConstraint('warning_id', name=op.f('uq_written_reports_warning_id'))
    )
    op.create_table('daily_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_day_id', sa.Integer(), nullable=False),
    sa.Column('member_unit_id', sa.Integer(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('inspections', sa.Integer(), nullable=False),
    sa.Column('problems_found', sa.Integer(), nullable=False),
    sa.Column('problems_fixed', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('reporter_name', sa.String(length=100), nullable=False),
    sa.Column('reporter_phone', sa.String(length=40), nullable=False),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('filed_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_daily_reports_filed_by_id_users')),
    sa.ForeignKeyConstraint(['member_unit_id'], ['member_units.id'], name=op.f('fk_daily_reports_member_unit_id_member_units')),
    sa.ForeignKeyConstraint(['response_day_id'], ['response_days.id'], name=op.f('fk_daily_reports_response_day_id_response_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_reports')),
    sa.UniqueConstraint('response_day_id', 'member_unit_id', name=op.f('uq_daily_reports_response_day_id_member_unit_id'))
    )
    with op.batch_alter_table('daily_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_reports_response_day_id'), ['response_day_id'], unique=False)
    op.create_table('daily_report_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('storage_name', sa.String(length=100), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['daily_reports.id'], name=op.f('fk_daily_report_attachments_report_id_daily_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_report_attachments'))
    )
    with op.batch_alter_table('daily_report_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_report_attachments_report_id'), ['report_id'], unique=False)
    op.create_table('deadline_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('deadline', sa.String(length=30), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=True),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('due_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sms_count', sa.Integer(), nullable=False),
    sa.Column('robot_count', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_deadline_alerts_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_deadline_alerts_revision_id_revisions')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_deadline_alerts_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_alerts')),
    sa.UniqueConstraint('key', name=op.f('uq_deadline_alerts_key'))
    )
    with op.batch_alter_table('deadline_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_alerts_warning_id'), ['warning_id'], unique=False)
    op.create_table('publication_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('run_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_publication_schedules_revision_id_revisions')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_publication_schedules_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_schedules')),
    sa.UniqueConstraint('revision_id', name=op.f('uq_publication_schedules_revision_id'))
    )
    with op.batch_alter_table('publication_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_schedules_state'), ['state'], unique=False)
    op.create_table('unit_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('member_unit_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_unit_id'], ['member_units.id'], name=op.f('fk_unit_tasks_member_unit_id_member_units')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_unit_tasks_revision_id_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_tasks')),
    sa.UniqueConstraint('revision_id', 'member_unit_id', name=op.f('uq_unit_tasks_revision_id_member_unit_id'))
    )
    with op.batch_alter_table('unit_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_tasks_revision_id'), ['revision_id'], unique=False)


def downgrade():
    with op.batch_alter_table('unit_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_tasks_revision_id'))
    op.drop_table('unit_tasks')
    with op.batch_alter_table('publication_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_schedules_state'))
    op.drop_table('publication_schedules')
    with op.batch_alter_table('deadline_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_alerts_warning_id'))
    op.drop_table('deadline_alerts')
    with op.batch_alter_table('daily_report_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_report_attachments_report_id'))
    op.drop_table('daily_report_attachments')
    with op.batch_alter_table('daily_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_reports_response_day_id'))
    op.drop_table('daily_reports')
    op.drop_table('written_reports')
    op.drop_table('response_summaries')
    with op.batch_alter_table('response_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_days_warning_id'))
    op.drop_table('response_days')
    op.drop_table('effect_evaluations')
    op.drop_table('drill_records')
    with op.batch_alter_table('duty_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_contacts_member_unit_id'))
        batch_op.drop_index(batch_op.f('ix_duty_contacts_jurisdiction_id'))
    op.drop_table('duty_contacts')
