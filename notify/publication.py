"""Publishing a revision: the one use case every caller goes through.

The console, the API, the timed publication, the demo seed, the bench and the tests all call
publish(). It runs the lifecycle guard (checks, state, audit), checks the audience is still the
one the approver confirmed, and then performs each effect of publishing in the order of EFFECTS,
all in one transaction, which it commits. Only after the commit does it wake those who act on it
(AFTER_COMMIT): the executors that send, and the runner that exports the public site.

The transaction stays small whatever the audience: the responders' deliveries (those who must
act: member units, townships, schools, commanders, robots, partner webhooks) are written in it,
so they can be claimed the instant it commits; the large audience (public subscribers, any group
above DISPATCH_INLINE_GROUP_LIMIT) is only a dispatch plan here, which the executors expand in
chunks after the commit (notify.dispatch.plans).

A later capability that publishing must drive (enterprise duties, confirmation ladders) adds its
effect to EFFECTS, in the place its deadline asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from notify import audience_approval, clock, scheduling
from notify.cap import identifiers as cap_identifiers
from notify.daily_reports import tasks as unit_tasks
from notify.dispatch import outbox, plans, wakeup
from notify.enterprises import duties as enterprise_duties
from notify.extensions import db
from notify.lifecycle import guard
from notify.lifecycle.transitions import Action
from notify.models import DispatchPlan, Revision, User
from notify.public import export_requests
from notify.schools import notices as school_notices
from notify.screens import publish as screen_feeds
from notify.timed import escalation
from notify.timed import publication as timed_publication

Effect = Callable[[Revision, datetime], object]


@dataclass(frozen=True)
class Published:
    revision_id: int
    # Deliveries written in the publish transaction (the responders'); the plan adds the rest.
    responder_deliveries: int
    plan_id: int | None


def publish(
    revision: Revision, actor: User, *, version: int | None = None, now: datetime | None = None
) -> Published:
    """Publish an approved revision now, with every effect; commits. Raises the guard's
    LifecycleError (or AudienceChanged) with nothing changed."""
    now = now or clock.now()
    try:
        guard.perform(revision, Action.PUBLISH, actor, version=version, now=now)
        audience_approval.verify_unchanged(revision)
        db.session.flush()  # the set-based writes below read the revision's new state
        done = {effect.__name__: effect(revision, now) for effect in EFFECTS}
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for wake in AFTER_COMMIT:
        wake()
    written, plan = done["responder_deliveries"], done["dispatch_plan"]
    return Published(
        revision.id,
        written if isinstance(written, int) else 0,
        plan.id if isinstance(plan, DispatchPlan) else None,
    )


# -- the effects of publishing, in the order they happen ---------------------------------------


def responder_deliveries(revision: Revision, now: datetime) -> int:
    """Those who must act, claimable the instant the publication commits (most urgent first)."""
    return outbox.write_responder_deliveries(revision, now)


def dispatch_plan(revision: Revision, now: datetime) -> DispatchPlan | None:
    """The large audience as a durable plan; the executors expand it after the commit."""
    return plans.write_plan(revision, now)


def school_notices_for(revision: Revision, now: datetime) -> int:
    """Each school's notice of what it must do, with its acknowledgement ladder."""
    return school_notices.write_for(revision, now)


def enterprise_duties_for(revision: Revision, now: datetime) -> int:
    """Each enterprise's duty for the level (附件11), frozen and sent with its own link; the
    2 h clock of §5.6 runs from the response start."""
    return enterprise_duties.write_for(revision, now)


def screen_feed_versions(revision: Revision, now: datetime) -> int:
    """The LED screens in the area get a new feed version to pull."""
    return screen_feeds.on_publish(revision, now)


def cap_identifier(revision: Revision, now: datetime):
    """Fixed with the publication, so the day's CAP sequence follows publication order."""
    return cap_identifiers.assign(revision)


def timed_jobs(revision: Revision, now: datetime) -> None:
    """Published: the escalation for a late publication and any timed publication are over."""
    scheduling.cancel(escalation.publication_job(revision.id))
    timed_publication.settle_after_publication(revision, now)


def member_unit_tasks(revision: Revision, now: datetime) -> None:
    """The member units' tasks (plan §5.6), sent when the response starts."""
    unit_tasks.watch_response_start(revision, now)


def site_export(revision: Revision, now: datetime) -> None:
    """The static public site and feeds, rendered off this request once it commits."""
    export_requests.request_export(
        now, lifted_at=revision.published_at if revision.action == "lift" else None
    )


EFFECTS: tuple[Effect, ...] = (
    responder_deliveries,
    dispatch_plan,
    school_notices_for,
    enterprise_duties_for,
    screen_feed_versions,
    cap_identifier,
    timed_jobs,
    member_unit_tasks,
    site_export,
)

# After the commit: nothing is there to find before it.
AFTER_COMMIT: tuple[Callable[[], None], ...] = (wakeup.wake, export_requests.wake)
