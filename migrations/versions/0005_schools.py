"""schools, school instructions and acknowledgements (issue 4)

Revision ID: 0005_schools
Revises: 0004_scheduling
Create Date: 2026-11-23

The school registry, the instructions each level gives schools, one notice per school and
revision with its acknowledgement, the contacts told about silent schools, and every uplink SMS.
A school's phone may get both the warning and its school notice of one revision, so a delivery
is unique per (revision, channel, address, purpose).
"""
from alembic import op
import sqlalchemy as sa

import notify.models.base

revision = '0005_schools'
down_revision = '0004_scheduling'
branch_labels = None
depends_on = None

UTC = notify.models.base.UTCDateTime(timezone=True)


def upgrade():
    op.create_table('schools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=100), nullable=False),
    sa.Column('head_phone', sa.String(length=40), nullable=False),
    sa.Column('duty_name', sa.String(length=100), nullable=False),
    sa.Column('duty_phone', sa.String(length=40), nullable=True),
    sa.Column('robot_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_schools_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['robot_id'], ['robots.id'], name=op.f('fk_schools_robot_id_robots'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_schools_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schools')),
    sa.UniqueConstraint('jurisdiction_id', 'code', name=op.f('uq_schools_jurisdiction_id_code')),
    sa.UniqueConstraint('jurisdiction_id', 'head_phone', name=op.f('uq_schools_jurisdiction_id_head_phone'))
    )
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schools_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schools_township_id'), ['township_id'], unique=False)

    op.create_table('school_instructions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=True),
    sa.Column('applies_on', sa.String(length=10), nullable=False),
    sa.Column('measure', sa.String(length=30), nullable=False),
    sa.Column('school_types', sa.String(length=100), nullable=False),
    sa.Column('text_zh', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('condition_zh', sa.Text(), nullable=False),
    sa.Column('condition_en', sa.Text(), nullable=False),
    sa.Column('starts', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kind_id'], ['alert_kinds.id'], name=op.f('fk_school_instructions_kind_id_alert_kinds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['levels.id'], name=op.f('fk_school_instructions_level_id_levels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_instructions'))
    )
    with op.batch_alter_table('school_instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_instructions_kind_id'), ['kind_id'], unique=False)

    op.create_table('school_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('requires_ack', sa.Boolean(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('acknowledged_at', UTC, nullable=True),
    sa.Column('acknowledged_by', sa.String(length=100), nullable=False),
    sa.Column('acknowledged_via', sa.String(length=10), nullable=True),
    sa.Column('acknowledged_phone', sa.String(length=40), nullable=True),
    sa.Column('reminded_at', UTC, nullable=True),
    sa.Column('reported_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_school_notices_revision_id_revisions')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_notices_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_school_notices_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_notices')),
    sa.UniqueConstraint('revision_id', 'school_id', name=op.f('uq_school_notices_revision_id_school_id'))
    )
    with op.batch_alter_table('school_notices', schema=None) as batch_op:
        batch_op.create_index('ix_school_notices_revision_id_acknowledged_at', ['revision_id', 'acknowledged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_notices_school_id'), ['school_id'], unique=False)

    op.create_table('school_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=True),
    sa.Column('member_unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_school_contacts_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['member_unit_id'], ['member_units.id'], name=op.f('fk_school_contacts_member_unit_id_member_units')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_school_contacts_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_contacts')),
    sa.UniqueConstraint('jurisdiction_id', 'township_id', 'phone', name=op.f('uq_school_contacts_jurisdiction_id_township_id_phone'))
    )
    with op.batch_alter_table('school_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_contacts_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('inbound_sms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('sequence_id', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sign_name', sa.String(length=100), nullable=False),
    sa.Column('dest_code', sa.String(length=40), nullable=False),
    sa.Column('sent_at', UTC, nullable=True),
    sa.Column('received_at', UTC, nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('school_notice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['school_notice_id'], ['school_notices.id'], name=op.f('fk_inbound_sms_school_notice_id_school_notices'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_sms')),
    sa.UniqueConstraint('gateway', 'sequence_id', name=op.f('uq_inbound_sms_gateway_sequence_id'))
    )
    with op.batch_alter_table('inbound_sms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_sms_received_at'), ['received_at'], unique=False)

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint('uq_deliveries_revision_id_channel_address', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_deliveries_revision_id_channel_address_purpose'),
            ['revision_id', 'channel', 'address', 'purpose'])


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint('uq_deliveries_revision_id_channel_address_purpose', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_deliveries_revision_id_channel_address'), ['revision_id', 'channel', 'address'])
    op.drop_table('inbound_sms')
    op.drop_table('school_contacts')
    op.drop_table('school_notices')
    op.drop_table('school_instructions')
    op.drop_table('schools')
