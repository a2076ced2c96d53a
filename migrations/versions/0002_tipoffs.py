"""citizen tip-offs

Revision ID: 0002_tipoffs
Revises: 0001_foundation
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_tipoffs'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tipoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('ticket_number', sa.String(length=20), nullable=False),
    sa.Column('query_code_hash', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('reporter_name_token', sa.Text(), nullable=False),
    sa.Column('reporter_phone_token', sa.Text(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acceptance_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closure_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('assigned_unit_id', sa.Integer(), nullable=True),
    sa.Column('referred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verifying_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=False),
    sa.Column('extended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extended_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('reply_by_id', sa.Integer(), nullable=True),
    sa.Column('reply_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply_return_reason', sa.Text(), nullable=False),
    sa.Column('reply_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('reply_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reward_eligible', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_unit_id'], ['member_units.id'], name=op.f('fk_tipoffs_assigned_unit_id_member_units')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_tipoffs_decided_by_id_users')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['tipoffs.id'], name=op.f('fk_tipoffs_duplicate_of_id_tipoffs')),
    sa.ForeignKeyConstraint(['extended_by_id'], ['users.id'], name=op.f('fk_tipoffs_extended_by_id_users')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_tipoffs_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['reply_approved_by_id'], ['users.id'], name=op.f('fk_tipoffs_reply_approved_by_id_users')),
    sa.ForeignKeyConstraint(['reply_by_id'], ['users.id'], name=op.f('fk_tipoffs_reply_by_id_users')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_tipoffs_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tipoffs')),
    sa.UniqueConstraint('ticket_number', name=op.f('uq_tipoffs_ticket_number'))
    )
    with op.batch_alter_table('tipoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tipoffs_assigned_unit_id'), ['assigned_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tipoffs_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_tipoffs_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tipoffs_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tipoffs_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tipoffs_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_tipoffs_township_id'), ['township_id'], unique=False)

    op.create_table('clarifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('tipoff_id', sa.Integer(), nullable=False),
    sa.Column('warning_id', sa.Integer(), nullable=True),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_clarifications_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_clarifications_published_by_id_users')),
    sa.ForeignKeyConstraint(['tipoff_id'], ['tipoffs.id'], name=op.f('fk_clarifications_tipoff_id_tipoffs')),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_clarifications_warning_id_warnings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clarifications')),
    sa.UniqueConstraint('tipoff_id', name=op.f('uq_clarifications_tipoff_id'))
    )
    with op.batch_alter_table('clarifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clarifications_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clarifications_warning_id'), ['warning_id'], unique=False)

    op.create_table('tipoff_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tipoff_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tipoff_id'], ['tipoffs.id'], name=op.f('fk_tipoff_photos_tipoff_id_tipoffs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tipoff_photos')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_tipoff_photos_storage_name'))
    )
    with op.batch_alter_table('tipoff_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tipoff_photos_tipoff_id'), ['tipoff_id'], unique=False)

    op.create_table('tipoff_rewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tipoff_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('payment_reference', sa.String(length=100), nullable=False),
    sa.Column('payment_recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_tipoff_rewards_approved_by_id_users')),
    sa.ForeignKeyConstraint(['payment_recorded_by_id'], ['users.id'], name=op.f('fk_tipoff_rewards_payment_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_tipoff_rewards_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['tipoff_id'], ['tipoffs.id'], name=op.f('fk_tipoff_rewards_tipoff_id_tipoffs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tipoff_rewards')),
    sa.UniqueConstraint('tipoff_id', name=op.f('uq_tipoff_rewards_tipoff_id'))
    )


def downgrade():
    op.drop_table('tipoff_rewards')

    with op.batch_alter_table('tipoff_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tipoff_photos_tipoff_id'))

    op.drop_table('tipoff_photos')

    with op.batch_alter_table('clarifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clarifications_warning_id'))
        batch_op.drop_index(batch_op.f('ix_clarifications_jurisdiction_id'))

    op.drop_table('clarifications')

    with op.batch_alter_table('tipoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tipoffs_township_id'))
        batch_op.drop_index(batch_op.f('ix_tipoffs_state'))
        batch_op.drop_index(batch_op.f('ix_tipoffs_received_at'))
        batch_op.drop_index(batch_op.f('ix_tipoffs_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_tipoffs_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_tipoffs_category'))
        batch_op.drop_index(batch_op.f('ix_tipoffs_assigned_unit_id'))

    op.drop_table('tipoffs')
