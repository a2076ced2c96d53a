"""A change of a warning starts from its own consultation, never from the superseded step's:
that one's 1-hour approval-form clock ran out long ago, so the new step would be born overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from notify import clock
from notify.extensions import db
from notify.lifecycle.deadlines import deadlines_for
from notify.lifecycle.errors import InvalidProposal
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import Consultation
from tests.conftest import proposal, take_to

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 Beijing time


def _consultation(j, office, at, conclusion):
    c = Consultation(
        jurisdiction_id=j.id, concluded_at=at, conclusion=conclusion, reporter="张建义", created_by=office
    )
    db.session.add(c)
    db.session.commit()
    return c


def test_the_consultation_of_a_published_step_is_refused_for_the_next(
    sample_jurisdiction, sample_users, sample_kind, sample_levels
):
    office = sample_users["office"]
    with freeze_time(T0) as frozen:
        first = _consultation(sample_jurisdiction, office, T0, "建议发布橙色预警")
        issue = propose_issue(sample_kind, proposal(sample_levels["orange"], consultation=first), office)
        db.session.commit()
        take_to(issue, "published", sample_users)
        frozen.move_to(T0 + timedelta(hours=30))

        with pytest.raises(InvalidProposal) as refused:
            propose_change(
                issue.warning, "downgrade", proposal(sample_levels["yellow"], consultation=first), office
            )
        assert set(refused.value.errors) == {"consultation"}
        db.session.rollback()

        second = _consultation(sample_jurisdiction, office, clock.now(), "污染减轻，建议降级为黄色")
        downgrade = propose_change(
            issue.warning, "downgrade", proposal(sample_levels["yellow"], consultation=second), office
        )
        db.session.commit()
        assert {d.code: d.status for d in deadlines_for(downgrade, clock.now())} == {"approval_form": "open"}
