"""JSON API integrations and their tokens (issue 7)

Revision ID: 0010_api_tokens
Revises: 0009_cap_public
Create Date: 2026-11-23

Integrations of the JSON API (name, scopes, acting user) and their hashed, revocable tokens.
"""
from alembic import op
import sqlalchemy as sa

import notify.models.base

revision = '0010_api_tokens'
down_revision = '0009_cap_public'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('integrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('acting_user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acting_user_id'], ['users.id'], name=op.f('fk_integrations_acting_user_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_integrations_created_by_id_users')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_integrations_jurisdiction_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrations'))
    )
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrations_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', notify.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', notify.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.id'], name=op.f('fk_api_tokens_integration_id_integrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_integration_id'), ['integration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_integration_id'))
    op.drop_table('api_tokens')
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrations_jurisdiction_id'))
    op.drop_table('integrations')
