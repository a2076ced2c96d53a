"""The demo: Yu County's schools answered the demo warning the way real ones do."""

from __future__ import annotations

from sqlalchemy import func, select

from notify.demo.seed import seed_demo
from notify.extensions import db
from notify.models import Delivery, School, SchoolContact, SchoolNotice, Warning


def test_the_demo_warning_reached_every_school_and_most_confirmed(app):
    assert seed_demo() is True
    assert db.session.scalar(select(func.count()).select_from(School)) == 68
    assert db.session.scalar(select(func.count()).select_from(SchoolContact)) == 14  # bureau + 13 townships
    warning = db.session.scalar(select(Warning))
    orange = warning.revisions[-1]
    rows = list(db.session.scalars(select(SchoolNotice).where(SchoolNotice.revision_id == orange.id)))
    assert len(rows) == 68
    acked = [n for n in rows if n.acknowledged_at]
    silent = [n for n in rows if not n.acknowledged_at]
    assert 0.8 * 68 <= len(acked) < 68 and silent
    # Every silent school was reminded and then reported; late answers came after the reminder.
    assert all(n.reminded_at and n.reported_at for n in silent)
    late = [n for n in acked if n.reminded_at]
    assert late and all(n.acknowledged_at > n.reminded_at for n in late)
    assert {n.acknowledged_via for n in acked} == {"link", "sms"}
    reminders = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.revision_id == orange.id, Delivery.purpose == "school_reminder")
    )
    assert reminders == len(late) + len(silent)
