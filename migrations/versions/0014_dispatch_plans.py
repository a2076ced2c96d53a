"""Constant-time publication: dispatch plans, delivery priority, the claim index

Revision ID: 0014_dispatch_plans
Revises: 0013_audit_jurisdiction
Create Date: 2026-11-24

- dispatch_plans: a publication's large audience (open groups, groups above
  DISPATCH_INLINE_GROUP_LIMIT) as one row, expanded after the commit in chunks of recipient ids
  under a lease (notify.dispatch.plans).
- deliveries.priority: 1 is the most urgent; existing rows and every writer that names none are
  routine (50), on both sides of the column.
- the claim index: (gateway, priority, id) over the pending and leased rows only, replacing
  (status, gateway, next_attempt_at), so a claim reads its most urgent batch off the front; and a
  partial index on the pending rows' end for the expiry housekeeping, and one over the few rows
  that carry their own text, for blanking the private ones (the old index served both scans).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_dispatch_plans"
down_revision = "0013_audit_jurisdiction"
branch_labels = None
depends_on = None

CLAIMABLE = "status IN ('pending', 'sending')"
PENDING_EXPIRY = "status = 'pending' AND expires_at IS NOT NULL"
OWN_TEXT = "body IS NOT NULL"
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "dispatch_plans",
        sa.Column("id", BigId, nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("group_ids", sa.JSON(), nullable=False),
        sa.Column("max_recipient_id", sa.BigInteger(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_written", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revisions.id"], name=op.f("fk_dispatch_plans_revision_id_revisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_plans")),
        sa.UniqueConstraint("revision_id", name=op.f("uq_dispatch_plans_revision_id")),
    )
    with op.batch_alter_table("dispatch_plans", schema=None) as batch_op:
        batch_op.create_index("ix_dispatch_plans_status", ["status"], unique=False)

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.SmallInteger(), server_default=sa.text("50"), nullable=False)
        )
        batch_op.drop_index("ix_deliveries_status_gateway_next_attempt_at")
    op.create_index(
        "ix_deliveries_claimable",
        "deliveries",
        ["gateway", "priority", "id"],
        unique=False,
        postgresql_where=sa.text(CLAIMABLE),
        sqlite_where=sa.text(CLAIMABLE),
    )
    op.create_index(
        "ix_deliveries_pending_expiry",
        "deliveries",
        ["expires_at"],
        unique=False,
        postgresql_where=sa.text(PENDING_EXPIRY),
        sqlite_where=sa.text(PENDING_EXPIRY),
    )
    op.create_index(
        "ix_deliveries_own_text",
        "deliveries",
        ["purpose", "status"],
        unique=False,
        postgresql_where=sa.text(OWN_TEXT),
        sqlite_where=sa.text(OWN_TEXT),
    )


def downgrade():
    op.drop_index("ix_deliveries_own_text", table_name="deliveries")
    op.drop_index("ix_deliveries_pending_expiry", table_name="deliveries")
    op.drop_index("ix_deliveries_claimable", table_name="deliveries")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_status_gateway_next_attempt_at",
            ["status", "gateway", "next_attempt_at"],
            unique=False,
        )
        batch_op.drop_column("priority")

    with op.batch_alter_table("dispatch_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_dispatch_plans_status")
    op.drop_table("dispatch_plans")
