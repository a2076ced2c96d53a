"""Publication at the response start time, through the guard, on a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from notify import scheduled_publication as publication
from notify import scheduling
from notify.extensions import db
from notify.lifecycle.errors import NotPermitted, TransitionNotAllowed
from notify.models import Delivery, PublicationSchedule, Revision
from notify.revision_steps import take
from notify.scheduling.moved_tasks import point_jobs_at
from notify.timed.system import SYSTEM_NAME
from tests.conftest import expand_plans, take_to
from tests.notify.timed.conftest import events, stored_jobs

START = None


def approved(draft, users, at):
    with freeze_time(at):
        take_to(draft, "approved", users)
    return draft


def deliveries(revision_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.revision_id == revision_id)
    )


def test_an_approved_revision_publishes_itself_at_its_response_start(
    sample_recipients, sample_draft, sample_users
):
    start = sample_draft.response_start_at
    revision = approved(sample_draft, sample_users, start - timedelta(hours=3))
    with freeze_time(start - timedelta(hours=2)):
        row = publication.schedule(revision, sample_users["office"])
        db.session.commit()
        assert row.run_at == start
    assert f"publish:{revision.id}" in stored_jobs()
    with freeze_time(start - timedelta(seconds=1)):
        scheduling.tick()
    db.session.rollback()
    assert db.session.get(Revision, revision.id).state == "approved"
    with freeze_time(start):
        scheduling.tick()
    db.session.rollback()
    revision = db.session.get(Revision, revision.id)
    assert revision.state == "published"
    assert revision.published_at == start
    assert revision.published_by.display_name == SYSTEM_NAME and not revision.published_by.active
    expand_plans()  # the subscribers, as the executors write them after publication
    assert deliveries(revision.id) == sample_recipients - 2  # everyone but the test group
    assert revision.warning.status == "active"
    assert db.session.scalar(select(PublicationSchedule.state)) == "published"
    [done] = events("revision.published_on_schedule")
    assert (
        done.warning_id == revision.warning_id
        and done.detail["set_by"] == sample_users["office"].display_name
    )
    assert [e.action for e in events("revision.publication_scheduled")] == ["revision.publication_scheduled"]
    assert f"publish:{revision.id}" not in stored_jobs()


def test_published_by_hand_first_the_job_does_nothing(sample_recipients, sample_draft, sample_users):
    start = sample_draft.response_start_at
    revision = approved(sample_draft, sample_users, start - timedelta(hours=3))
    with freeze_time(start - timedelta(hours=2)):
        publication.schedule(revision, sample_users["office"])
        db.session.commit()
    with freeze_time(start - timedelta(hours=1)):
        take(revision, "publish", sample_users["office"])
        db.session.commit()
    assert f"publish:{revision.id}" not in stored_jobs()
    assert db.session.scalar(select(PublicationSchedule.state)) == "done_by_hand"
    before = deliveries(revision.id)
    with freeze_time(start + timedelta(minutes=1)):
        scheduling.tick()
        # Even a job that escaped cancellation finds nothing to do.
        publication.publish_when_due(revision_id=revision.id)
    db.session.rollback()
    assert deliveries(revision.id) == before
    assert db.session.get(Revision, revision.id).published_by_id == sample_users["office"].id
    assert events("scheduler.job_failed") == []


def test_cancel_and_set_again(sample_recipients, sample_draft, sample_users):
    start = sample_draft.response_start_at
    revision = approved(sample_draft, sample_users, start - timedelta(hours=3))
    with freeze_time(start - timedelta(hours=2)):
        publication.schedule(revision, sample_users["office"])
        db.session.commit()
        publication.cancel(revision, sample_users["office"])
        db.session.commit()
    assert f"publish:{revision.id}" not in stored_jobs()
    with freeze_time(start + timedelta(minutes=5)):
        scheduling.tick()
    db.session.rollback()
    assert db.session.get(Revision, revision.id).state == "approved"
    with freeze_time(start - timedelta(hours=1)):
        publication.schedule(revision, sample_users["office"])  # the same row, set again
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PublicationSchedule)) == 1
    assert db.session.scalar(select(PublicationSchedule.state)) == "scheduled"
    assert len(events("revision.publication_unscheduled")) == 1


def test_a_missed_publication_runs_once_when_the_scheduler_returns(
    sample_recipients, sample_draft, sample_users
):
    start = sample_draft.response_start_at
    revision = approved(sample_draft, sample_users, start - timedelta(hours=3))
    with freeze_time(start - timedelta(hours=2)):
        publication.schedule(revision, sample_users["office"])
        db.session.commit()
    with freeze_time(start + timedelta(hours=2)):  # nobody ran jobs at the start time
        scheduling.tick()
        scheduling.tick()
    db.session.rollback()
    assert db.session.get(Revision, revision.id).state == "published"
    assert len(events("revision.published_on_schedule")) == 1
    late = [e for e in events("scheduler.late_run") if e.detail["job"] == f"publish:{revision.id}"]
    assert len(late) == 1 and late[0].detail["late_seconds"] == 7200


def test_refusals(sample_draft, sample_users):
    start = sample_draft.response_start_at
    with freeze_time(start - timedelta(hours=4)):
        with pytest.raises(TransitionNotAllowed):
            publication.schedule(sample_draft, sample_users["office"])  # still a draft
    revision = approved(sample_draft, sample_users, start - timedelta(hours=3))
    with freeze_time(start - timedelta(hours=2)):
        with pytest.raises(NotPermitted):
            publication.schedule(revision, sample_users["deputy"])
    with freeze_time(start + timedelta(minutes=1)):
        with pytest.raises(TransitionNotAllowed):
            publication.schedule(revision, sample_users["office"])  # its start has passed
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PublicationSchedule)) == 0


def test_a_revision_that_can_no_longer_publish_is_recorded_not_crashed(
    sample_recipients, sample_draft, sample_users
):
    """The warning moved on (here: its first revision went out some other way and this one no
    longer follows the current state): the guard refuses, the job records why."""
    start = sample_draft.response_start_at
    revision = approved(sample_draft, sample_users, start - timedelta(hours=3))
    with freeze_time(start - timedelta(hours=2)):
        publication.schedule(revision, sample_users["office"])
        db.session.commit()
    revision.snapshot.revision_id = revision.id
    db.session.delete(revision.snapshot)  # no approved content left to publish
    db.session.commit()
    with freeze_time(start):
        scheduling.tick()
    db.session.rollback()
    assert db.session.get(Revision, revision.id).state == "approved"
    row = db.session.scalar(select(PublicationSchedule))
    assert row.state == "failed" and row.note
    assert len(events("revision.scheduled_publication_failed")) == 1


def test_a_timed_publication_stored_before_the_task_moved_still_publishes(sample_draft, sample_users):
    """Set before the upgrade, the job names the task's old place; the migration's rewrite
    (notify.scheduling.moved_tasks, migration 0016) points it at the new one, and it runs."""
    start = sample_draft.response_start_at
    revision = approved(sample_draft, sample_users, start - timedelta(hours=3))
    with freeze_time(start - timedelta(hours=2)):
        publication.schedule(revision, sample_users["office"])
        db.session.commit()
    old, new = (
        "notify.timed.publication:publish_when_due",
        "notify.scheduled_publication:publish_when_due",
    )
    with db.engine.begin() as conn:  # the store as an earlier version left it
        assert point_jobs_at(conn, new, old) == 1
    with db.engine.begin() as conn:  # the migration
        assert point_jobs_at(conn, old, new) == 1
        assert point_jobs_at(conn, old, new) == 0  # nothing left to move
    assert f"publish:{revision.id}" in stored_jobs()
    with freeze_time(start):
        scheduling.tick()
    db.session.rollback()
    assert db.session.get(Revision, revision.id).state == "published"
