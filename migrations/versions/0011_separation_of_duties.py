"""Separation of duties and approval integrity (issue 13)

Revision ID: 0011_separation_of_duties
Revises: 0010_api_tokens
Create Date: 2026-11-24

- integrations: the acting user's own confirmation (who, when, which scopes); the approve scope
  is withdrawn from every integration, since approving is never an integration's to do;
- audit_events: the integration an action came through;
- audience_groups: open groups (citizens join them themselves), approved as a rule with a count;
- member_units: the unit in charge of schools, whose users see school contacts' whole numbers.
"""
from alembic import op
import sqlalchemy as sa

import notify.models.base

revision = '0011_separation_of_duties'
down_revision = '0010_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consented_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consented_at', notify.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consented_scopes', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_integrations_consented_by_id_users'), 'users', ['consented_by_id'], ['id']
        )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_integration_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_audit_events_via_integration_id_integrations'),
            'integrations',
            ['via_integration_id'],
            ['id'],
        )
    with op.batch_alter_table('audience_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_open', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('member_units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oversees_schools', sa.Boolean(), nullable=False, server_default=sa.false()))

    # The plan's public subscribers and the county's education bureau, as the demo data names them.
    op.execute(sa.text("UPDATE audience_groups SET is_open = :yes WHERE code = 'public'").bindparams(yes=True))
    op.execute(
        sa.text(
            "UPDATE member_units SET oversees_schools = :yes "
            "WHERE code IN ('education_science_bureau', 'education_bureau')"
        ).bindparams(yes=True)
    )
    # Existing integrations lose the approve scope; those acting as a person wait for that
    # person's confirmation (none was ever asked for).
    conn = op.get_bind()
    integrations = sa.table(
        'integrations',
        sa.column('id', sa.Integer()),
        sa.column('scopes', sa.JSON()),
        sa.column('active', sa.Boolean()),
    )
    for row in conn.execute(sa.select(integrations.c.id, integrations.c.scopes)).all():
        scopes = list(row.scopes or [])
        if 'approve' in scopes:
            kept = [s for s in scopes if s != 'approve']
            # One that could only approve has nothing left to do: switched off, reading nothing new.
            values = {'scopes': kept} if kept else {'scopes': ['read'], 'active': False}
            conn.execute(integrations.update().where(integrations.c.id == row.id).values(**values))


def downgrade():
    with op.batch_alter_table('member_units', schema=None) as batch_op:
        batch_op.drop_column('oversees_schools')
    with op.batch_alter_table('audience_groups', schema=None) as batch_op:
        batch_op.drop_column('is_open')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_events_via_integration_id_integrations'), type_='foreignkey')
        batch_op.drop_column('via_integration_id')
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_integrations_consented_by_id_users'), type_='foreignkey')
        batch_op.drop_column('consented_scopes')
        batch_op.drop_column('consented_at')
        batch_op.drop_column('consented_by_id')
