"""The county of each audit event (issue 13 item 12)

Revision ID: 0013_audit_jurisdiction
Revises: 0012_console_sessions
Create Date: 2026-11-24

- audit_events.jurisdiction_id: each county's administrator reads their own county's events
  only. Existing events take the county of their actor, else of their warning, else of their
  subject, else (failed log-ins) of the user whose name was typed; the rest (the platform's own:
  the scheduler's, a citizen's) are the county the site serves (JURISDICTION_CODE), as new ones
  are (notify/audit.py). An event nothing ties to a county stays without one, shown to nobody.
- an index for the audit log's pages: one county's events, newest first.
"""

import os

from alembic import op
import sqlalchemy as sa

revision = "0013_audit_jurisdiction"
down_revision = "0012_console_sessions"
branch_labels = None
depends_on = None

# Subjects that carry their county themselves (subject_type is the model's class name).
SUBJECT_TABLES = {
    "AlertKind": "alert_kinds",
    "AudienceGroup": "audience_groups",
    "CapImport": "cap_imports",
    "Consultation": "consultations",
    "DutyContact": "duty_contacts",
    "Expert": "experts",
    "Integration": "integrations",
    "MemberUnit": "member_units",
    "PartnerWebhook": "partner_webhooks",
    "Robot": "robots",
    "School": "schools",
    "Screen": "screens",
    "Tipoff": "tipoffs",
    "Township": "townships",
    "User": "users",
    "Warning": "warnings",
}


def _fill(source_sql: str, condition: str) -> None:
    op.execute(
        f"UPDATE audit_events SET jurisdiction_id = ({source_sql}) "
        f"WHERE jurisdiction_id IS NULL AND {condition}"
    )


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jurisdiction_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_jurisdiction_id_jurisdictions"),
            "jurisdictions",
            ["jurisdiction_id"],
            ["id"],
        )
        batch_op.create_index(
            "ix_audit_events_jurisdiction_time", ["jurisdiction_id", "occurred_at", "id"], unique=False
        )

    _fill(
        "SELECT users.jurisdiction_id FROM users WHERE users.id = audit_events.actor_id",
        "actor_id IS NOT NULL",
    )
    _fill(
        "SELECT warnings.jurisdiction_id FROM warnings WHERE warnings.id = audit_events.warning_id",
        "warning_id IS NOT NULL",
    )
    for subject_type, table in SUBJECT_TABLES.items():
        _fill(
            f"SELECT {table}.jurisdiction_id FROM {table} WHERE {table}.id = audit_events.subject_id",
            f"subject_type = '{subject_type}' AND subject_id IS NOT NULL",
        )
    _fill(
        "SELECT warnings.jurisdiction_id FROM revisions JOIN warnings ON warnings.id = revisions.warning_id "
        "WHERE revisions.id = audit_events.subject_id",
        "subject_type = 'Revision' AND subject_id IS NOT NULL",
    )
    # A failed log-in names the account that was tried, not an actor.
    _fill(
        "SELECT MIN(users.jurisdiction_id) FROM users WHERE users.username = audit_events.actor_name",
        "actor_id IS NULL AND action LIKE 'login%'",
    )
    op.execute(
        sa.text(
            "UPDATE audit_events SET jurisdiction_id = (SELECT jurisdictions.id FROM jurisdictions "
            "WHERE jurisdictions.code = :code) WHERE jurisdiction_id IS NULL"
        ).bindparams(code=os.environ.get("JURISDICTION_CODE", "140322"))
    )


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_jurisdiction_time")
        batch_op.drop_constraint(
            batch_op.f("fk_audit_events_jurisdiction_id_jurisdictions"), type_="foreignkey"
        )
        batch_op.drop_column("jurisdiction_id")
