"""The plan's deadlines on a revision's way to publication (§4.2.2), and whether each was met."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from notify.models import Revision


@dataclass(frozen=True)
class Deadline:
    code: str
    label: object
    started_at: datetime
    due_at: datetime
    done_at: datetime | None
    now: datetime

    @property
    def status(self) -> str:
        if self.done_at is not None:
            return "met" if self.done_at <= self.due_at else "late"
        return "overdue" if self.now > self.due_at else "open"

    @property
    def overdue(self) -> bool:
        """Past due and not done: the console's alarm, which clears once the step is done."""
        return self.status == "overdue"

    @property
    def late(self) -> bool:
        """Done, but after the deadline: kept on the record, no longer an alarm."""
        return self.status == "late"


def deadlines_for(revision: Revision, now: datetime) -> list[Deadline]:
    cfg = current_app.config
    result: list[Deadline] = []
    if revision.consultation is not None and revision.state != "rejected":
        started = revision.consultation.concluded_at
        first_filed = revision.approval_forms[0].filed_at if revision.approval_forms else None
        result.append(
            Deadline(
                "approval_form",
                _l("Approval form filed within 1 h of the consultation"),
                started,
                started + timedelta(minutes=cfg["DEADLINE_APPROVAL_FORM_MINUTES"]),
                first_filed,
                now,
            )
        )
    if revision.decided_at is not None and revision.state in ("approved", "published"):
        started = revision.decided_at
        result.append(
            Deadline(
                "publication",
                _l("Published within 2 h of approval"),
                started,
                started + timedelta(minutes=cfg["DEADLINE_PUBLICATION_MINUTES"]),
                revision.published_at,
                now,
            )
        )
    return result
