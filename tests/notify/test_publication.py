"""Publishing is one use case: the guard, then each effect once, in order, in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from notify import clock, publication
from notify.audience import audience_size
from notify.demo.schools import seed_schools
from notify.dispatch import plans
from notify.extensions import db
from notify.lifecycle.errors import NotPermitted
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import CapMessage, Delivery, DispatchPlan, Revision, SchoolNotice, SiteExportRequest
from notify.timed import escalation
from tests.conftest import proposal, take_to

EFFECT_NAMES = [effect.__name__ for effect in publication.EFFECTS]
# The order the plan asks for: those who must act first, then what others pull or read.
EXPECTED_ORDER = [
    "responder_deliveries",
    "dispatch_plan",
    "school_notices_for",
    "enterprise_duties_for",
    "screen_feed_versions",
    "cap_identifier",
    "timed_jobs",
    "member_unit_tasks",
    "site_export",
]


@pytest.fixture
def recorded(monkeypatch):
    """Each effect, still the real one, noted as it runs."""
    calls: list[tuple[str, int]] = []

    def noting(effect):
        def run(revision, now):
            calls.append((effect.__name__, revision.id))
            return effect(revision, now)

        run.__name__ = effect.__name__
        return run

    monkeypatch.setattr(publication, "EFFECTS", tuple(noting(e) for e in publication.EFFECTS))
    return calls


def _stored_jobs() -> set[str]:
    return set(db.session.scalars(text("SELECT id FROM scheduled_jobs")))


def _published_issue(kind, levels, users, *, exercise=False) -> Revision:
    revision = propose_issue(kind, proposal(levels["yellow"]), users["office"], exercise=exercise)
    db.session.commit()
    take_to(revision, "published", users)
    return revision


def _approved_change(first: Revision, action: str, level, users) -> Revision:
    start = None if action == "lift" else datetime(2026, 11, 23, 13, tzinfo=UTC)
    data = proposal(level, response_start_at=start)
    if action == "extend":
        data.episode_end = datetime(2026, 11, 27, tzinfo=UTC)
    change = propose_change(first.warning, action, data, users["office"])
    db.session.commit()
    take_to(change, "approved", users)
    return change


CASES = {
    "issue": None,
    "upgrade": "orange",
    "downgrade": None,  # from orange down to yellow: set up below
    "extend": "yellow",
    "lift": "yellow",
}


def _revision_for(case, kind, levels, users) -> Revision:
    if case in ("issue", "exercise"):
        revision = propose_issue(
            kind, proposal(levels["yellow"]), users["office"], exercise=case == "exercise"
        )
        db.session.commit()
        take_to(revision, "approved", users)
        return revision
    if case == "downgrade":
        first = propose_issue(kind, proposal(levels["orange"]), users["office"])
        db.session.commit()
        take_to(first, "published", users)
        return _approved_change(first, "downgrade", levels["yellow"], users)
    first = _published_issue(kind, levels, users)
    return _approved_change(first, case, levels[CASES[case]], users)


@pytest.mark.parametrize("case", ["issue", "upgrade", "downgrade", "extend", "lift", "exercise"])
def test_each_effect_runs_once_in_order_and_commits_with_the_publication(
    case, recorded, sample_recipients, sample_users, sample_kind, sample_levels
):
    seed_schools(sample_kind.jurisdiction)
    db.session.commit()
    revision = _revision_for(case, sample_kind, sample_levels, sample_users)
    rid = revision.id
    assert escalation.publication_job(rid) in _stored_jobs()  # approving started the clock
    recorded.clear()
    export_requests_before = db.session.scalar(select(func.count()).select_from(SiteExportRequest))

    result = publication.publish(revision, sample_users["office"])

    assert [name for name, _ in recorded] == EXPECTED_ORDER
    assert {r for _, r in recorded} == {rid}
    db.session.rollback()  # what follows is what was committed, not what the session holds
    revision = db.session.get(Revision, rid)
    assert revision.state == "published"
    # Those who must act: written in the publish transaction itself.
    responders = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.revision_id == rid, Delivery.purpose == "warning")
    )
    assert responders == result.responder_deliveries > 0
    assert db.session.scalar(select(CapMessage.identifier).where(CapMessage.revision_id == rid))
    jobs = _stored_jobs()
    assert escalation.publication_job(rid) not in jobs  # published: no escalation for lateness
    unit_tasks_job = f"unit_tasks:{rid}"
    if case in ("lift", "exercise"):
        assert unit_tasks_job not in jobs  # no response starts
    else:
        assert unit_tasks_job in jobs
    notices = db.session.scalar(
        select(func.count()).select_from(SchoolNotice).where(SchoolNotice.revision_id == rid)
    )
    assert notices == 0 if case == "exercise" else notices > 0  # a drill reaches the test group only
    # The public subscribers: a plan, expanded after the commit into the rest of the audience.
    plan = db.session.scalar(select(DispatchPlan).where(DispatchPlan.revision_id == rid))
    if case == "exercise":
        assert plan is None  # the test group is small: written with the publication
    else:
        assert plan is not None and plan.status == "expanding"
        while plans.open_plans():
            plans.expand_next("test", clock.now(), chunk=50, lease=timedelta(seconds=30))
    warned = db.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.revision_id == rid, Delivery.purpose == "warning")
    )
    assert warned == audience_size(revision)
    # The public site is exported off this request: asked for in the same transaction.
    export_requests = db.session.scalar(select(func.count()).select_from(SiteExportRequest))
    assert export_requests == export_requests_before + 1


def test_a_failing_effect_leaves_nothing_behind(monkeypatch, sample_recipients, sample_users, sample_draft):
    take_to(sample_draft, "approved", sample_users)
    rid = sample_draft.id

    def broken(revision, now):
        raise RuntimeError("screen feeds unavailable")

    broken.__name__ = "screen_feed_versions"
    effects = tuple(broken if e.__name__ == "screen_feed_versions" else e for e in publication.EFFECTS)
    monkeypatch.setattr(publication, "EFFECTS", effects)
    woken = []
    monkeypatch.setattr(publication, "AFTER_COMMIT", (lambda: woken.append(True),))

    with pytest.raises(RuntimeError):
        publication.publish(sample_draft, sample_users["office"])

    revision = db.session.get(Revision, rid)
    assert revision.state == "approved"
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(CapMessage)) == 0
    assert woken == []  # nobody is told of work that was never committed


def test_the_guard_refuses_before_any_effect(recorded, sample_recipients, sample_users, sample_draft):
    take_to(sample_draft, "approved", sample_users)
    woken = []

    with pytest.raises(NotPermitted):
        publication.publish(sample_draft, sample_users["deputy"])  # approvers do not publish

    assert recorded == []
    assert woken == []
    assert db.session.get(Revision, sample_draft.id).state == "approved"


def test_executors_are_woken_only_after_the_commit(
    monkeypatch, sample_recipients, sample_users, sample_draft
):
    take_to(sample_draft, "approved", sample_users)
    rid = sample_draft.id
    seen = []

    def wake():
        # A separate connection sees only what is committed.
        with db.engine.connect() as conn:
            seen.append(conn.execute(select(Revision.state).where(Revision.id == rid)).scalar_one())

    monkeypatch.setattr(publication, "AFTER_COMMIT", (wake,))
    publication.publish(sample_draft, sample_users["office"])

    assert seen == ["published"]
