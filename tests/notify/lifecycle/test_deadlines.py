"""Plan §4.2.2 deadlines with a frozen clock: approval form within 1 h of the consultation,
publication within 2 h of approval; late and overdue steps are flagged in the console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from notify import clock
from notify.audience import audience_size
from notify.extensions import db
from notify.lifecycle.deadlines import deadlines_for
from notify.lifecycle.proposals import propose_issue
from notify.models import Consultation
from notify.revision_steps import take
from tests.conftest import approval_form, login, proposal

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 Beijing time


def _consultation(j, office, at):
    c = Consultation(
        jurisdiction_id=j.id,
        concluded_at=at,
        conclusion="建议发布黄色预警",
        reporter="张建义",
        created_by=office,
    )
    db.session.add(c)
    db.session.commit()
    return c


def _statuses(revision):
    return {d.code: d.status for d in deadlines_for(revision, clock.now())}


@pytest.mark.parametrize(("submit_after", "expected"), [(59, "met"), (60, "met"), (61, "late")])
def test_approval_form_deadline(
    submit_after, expected, sample_jurisdiction, sample_users, sample_kind, sample_levels
):
    office = sample_users["office"]
    with freeze_time(T0) as frozen:
        c = _consultation(sample_jurisdiction, office, T0)
        r = propose_issue(sample_kind, proposal(sample_levels["yellow"], consultation=c), office)
        db.session.commit()
        frozen.tick(timedelta(minutes=30))
        assert _statuses(r) == {"approval_form": "open"}
        frozen.move_to(T0 + timedelta(minutes=submit_after))
        take(r, "submit", office, form=approval_form(r))
        db.session.commit()
        assert _statuses(r) == {"approval_form": expected}


def test_overdue_when_nothing_happens(sample_jurisdiction, sample_users, sample_kind, sample_levels):
    with freeze_time(T0) as frozen:
        c = _consultation(sample_jurisdiction, sample_users["office"], T0)
        r = propose_issue(
            sample_kind, proposal(sample_levels["yellow"], consultation=c), sample_users["office"]
        )
        db.session.commit()
        frozen.move_to(T0 + timedelta(minutes=61))
        assert _statuses(r) == {"approval_form": "overdue"}


@pytest.mark.parametrize(
    ("publish_after", "expected"), [(None, "open"), (119, "met"), (121, "late"), ("never", "overdue")]
)
def test_publication_deadline(publish_after, expected, sample_users, sample_kind, sample_levels):
    office, deputy = sample_users["office"], sample_users["deputy"]
    with freeze_time(T0) as frozen:
        r = propose_issue(sample_kind, proposal(sample_levels["orange"]), office)
        take(r, "submit", office, form=approval_form(r))
        take(r, "approve", deputy, confirmed_audience_size=audience_size(r))
        db.session.commit()
        if publish_after == "never":
            frozen.move_to(T0 + timedelta(minutes=121))
        elif publish_after is not None:
            frozen.move_to(T0 + timedelta(minutes=publish_after))
            take(r, "publish", office)
            db.session.commit()
        assert _statuses(r) == {"publication": expected}


def test_console_flags_late_steps(client, sample_jurisdiction, sample_users, sample_kind, sample_levels):
    office = sample_users["office"]
    with freeze_time(T0) as frozen:
        c = _consultation(sample_jurisdiction, office, T0)
        r = propose_issue(sample_kind, proposal(sample_levels["yellow"], consultation=c), office)
        db.session.commit()
        warning_id = r.warning_id
        login(client, "office")
        assert "data-flagged" not in client.get("/admin/").get_data(as_text=True)
        frozen.move_to(T0 + timedelta(minutes=75))
        listing = client.get("/admin/").get_data(as_text=True)
        assert "data-flagged" in listing
        page = client.get(f"/admin/warnings/{warning_id}").get_data(as_text=True)
        assert 'data-deadline="approval_form" data-status="overdue"' in page


def test_the_overdue_flag_clears_once_the_step_is_done(
    client, sample_jurisdiction, sample_users, sample_kind, sample_levels
):
    """Done late, a step stays marked late on its revision, but the warning list no longer
    raises the alarm that something is still owed."""
    office = sample_users["office"]
    with freeze_time(T0) as frozen:
        c = _consultation(sample_jurisdiction, office, T0)
        r = propose_issue(sample_kind, proposal(sample_levels["yellow"], consultation=c), office)
        db.session.commit()
        login(client, "office")
        frozen.move_to(T0 + timedelta(minutes=75))
        assert "data-flagged" in client.get("/admin/").get_data(as_text=True)
        take(r, "submit", office, form=approval_form(r))
        db.session.commit()
        listing = client.get("/admin/").get_data(as_text=True)
        assert "data-flagged" not in listing and "data-late" in listing
        page = client.get(f"/admin/revisions/{r.id}").get_data(as_text=True)
        assert 'data-deadline="approval_form" data-status="late"' in page
