"""CAP identifiers and imports, public site exports (issue 7)

Revision ID: 0009_cap_public
Revises: 0008_screens
Create Date: 2026-11-23

The CAP header each published revision goes out under (identifier, sender, sent: assigned once,
quoted by later documents' references) and the log of CAP files uploaded in the console.
Revisions published before this migration get their identifiers on first use.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import notify.models.base  # noqa: F401

revision = '0009_cap_public'
down_revision = '0008_screens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cap_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=64), nullable=False),
        sa.Column('sender', sa.String(length=100), nullable=False),
        sa.Column('sent', notify.models.base.UTCDateTime(), nullable=False),
        sa.Column('created_at', notify.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'],
                                name=op.f('fk_cap_messages_revision_id_revisions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cap_messages')),
        sa.UniqueConstraint('identifier', name=op.f('uq_cap_messages_identifier')),
        sa.UniqueConstraint('revision_id', name=op.f('uq_cap_messages_revision_id')),
    )
    op.create_table(
        'cap_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', notify.models.base.UTCDateTime(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('identifier', sa.String(length=200), nullable=False),
        sa.Column('sender', sa.String(length=200), nullable=False),
        sa.Column('msg_type', sa.String(length=20), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'],
                                name=op.f('fk_cap_imports_jurisdiction_id_jurisdictions')),
        sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'],
                                name=op.f('fk_cap_imports_revision_id_revisions')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_cap_imports_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cap_imports')),
    )
    with op.batch_alter_table('cap_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cap_imports_jurisdiction_id'), ['jurisdiction_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('cap_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cap_imports_jurisdiction_id'))
    op.drop_table('cap_imports')
    op.drop_table('cap_messages')
