"""Publishing writes the responders and one plan; the executors expand the plan in chunks after
the commit: exactly the audience, each address once, idempotent, in the order the rules allow."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import func, insert, select

from notify import clock
from notify.audience import audience_size
from notify.dispatch import claims, plans, priority
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import AudienceGroup, Delivery, DispatchPlan, Recipient, Township
from notify.models.dispatch_plans import PlanStatus
from notify.publication import publish
from tests.conftest import proposal, take_to

LEASE = timedelta(seconds=30)
# The demo's heavy-pollution audience (tests/conftest.py: sample_recipients): 316, of whom the
# 203 public subscribers are an open group; the other 113 are responders.
PUBLIC_SAMPLE = 203
RESPONDERS = 316 - PUBLIC_SAMPLE


def _group(code: str) -> AudienceGroup:
    return db.session.scalars(select(AudienceGroup).where(AudienceGroup.code == code)).one()


def add_subscribers(n: int, *, prefix: str = "+86137", township_ids: list[int] | None = None) -> None:
    """n more public subscribers, written set-based."""
    group = _group("public")
    db.session.execute(
        insert(Recipient),
        [
            {
                "group_id": group.id,
                "address": f"{prefix}{i:08d}",
                "name": "",
                "channel": "sms",
                "locale": "zh",
                "township_id": township_ids[i % len(township_ids)] if township_ids else None,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def publish_now(revision, users) -> None:
    """Published as the console does, its plan left to the executors (take_to would expand it)."""
    take_to(revision, "approved", users)
    publish(revision, users["office"])


def published_to_one_township(subscribers: int, kind, levels, users):
    """`subscribers` more subscribers spread over every township in turn, and a yellow warning
    for the first township only, published (its plan not expanded)."""
    towns = list(db.session.scalars(select(Township).order_by(Township.code)))
    add_subscribers(subscribers, township_ids=[t.id for t in towns])
    revision = propose_issue(
        kind, proposal(levels["yellow"], area_scope="townships", townships=[towns[0]]), users["office"]
    )
    db.session.commit()
    publish_now(revision, users)
    return towns, revision


def expand_all(now=None, *, chunk: int = 20_000, worker: str = "w") -> int:
    """Every open plan expanded to its end, chunk by chunk; returns the deliveries written."""
    written = 0
    while plans.open_plans():
        written += plans.expand_next(worker, now or clock.now(), chunk=chunk, lease=LEASE)
    return written


def _warnings(revision) -> list[Delivery]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Delivery).where(Delivery.revision_id == revision.id, Delivery.purpose == "warning")
        )
    )


def _plan(revision) -> DispatchPlan:
    db.session.expire_all()
    return db.session.scalars(select(DispatchPlan).where(DispatchPlan.revision_id == revision.id)).one()


def test_publication_writes_the_responders_and_one_plan_and_the_chunks_the_rest(
    sample_recipients, sample_draft, sample_users
):
    add_subscribers(5000)
    publish_now(sample_draft, sample_users)
    size = audience_size(sample_draft)
    assert size == 316 + 5000
    # In the publish transaction: the responders only, and one plan row for the rest.
    rows = _warnings(sample_draft)
    public = _group("public")
    group_of = dict(db.session.execute(select(Recipient.id, Recipient.group_id)).all())
    assert len(rows) == RESPONDERS
    assert public.id not in {group_of[r.recipient_id] for r in rows}
    assert {r.priority for r in rows} == {priority.for_responders(sample_draft)}
    plan = _plan(sample_draft)
    top = db.session.scalar(select(func.max(Recipient.id)))
    assert (plan.group_ids, plan.cursor, plan.max_recipient_id, plan.status, plan.rows_written) == (
        [public.id],
        0,
        top,
        PlanStatus.EXPANDING,
        0,
    )
    # After the commit, chunk by chunk: each a key range of recipient ids.
    written, cursors = [], []
    while plans.open_plans():
        written.append(plans.expand_next("w", clock.now(), chunk=1000, lease=LEASE))
        cursors.append(_plan(sample_draft).cursor)
    assert cursors == [min(1000 * (i + 1), top) for i in range(math.ceil(top / 1000))]
    rows = _warnings(sample_draft)
    assert len(rows) == size == len({(r.channel, r.address) for r in rows})
    plan = _plan(sample_draft)
    assert plan.status == PlanStatus.DONE and plan.finished_at is not None and plan.lease_owner is None
    assert plan.rows_written == sum(written) == 5000 + PUBLIC_SAMPLE
    subscribers = [r for r in rows if group_of[r.recipient_id] == public.id]
    assert len(subscribers) == 5000 + PUBLIC_SAMPLE
    assert {r.priority for r in subscribers} == {priority.for_public(sample_draft)}
    # The same columns as the responders' rows: route, parts, end, what it supersedes.
    sample = next(r for r in subscribers if r.address.startswith("+86137"))
    responder = next(r for r in rows if group_of[r.recipient_id] != public.id)
    assert (sample.status, sample.gateway, sample.segments, sample.expires_at, sample.after_revision_id) == (
        responder.status,
        responder.gateway,
        responder.segments,
        responder.expires_at,
        responder.after_revision_id,
    )
    # A chunk written again (the cursor rewound by hand) writes nothing new.
    plan.cursor, plan.status, plan.rows_written = 0, PlanStatus.EXPANDING, 0
    db.session.commit()
    assert expand_all(chunk=1000) == 0
    assert len(_warnings(sample_draft)) == size
    assert _plan(sample_draft).rows_written == 0


def test_an_address_that_is_responder_and_subscriber_gets_the_responders_delivery(
    sample_recipients, sample_draft, sample_users
):
    unit = db.session.scalars(
        select(Recipient)
        .join(AudienceGroup)
        .where(AudienceGroup.code == "member_units")
        .order_by(Recipient.id)
    ).first()
    db.session.add(Recipient(group=_group("public"), name="也订阅了", address=unit.address))
    db.session.commit()
    publish_now(sample_draft, sample_users)
    expand_all(chunk=50)
    rows = [r for r in _warnings(sample_draft) if r.address == unit.address]
    assert [(r.recipient_id, r.priority) for r in rows] == [(unit.id, priority.for_responders(sample_draft))]
    assert len(_warnings(sample_draft)) == audience_size(sample_draft) == 316


def test_a_staff_group_above_the_inline_limit_goes_to_the_plan(
    app, monkeypatch, sample_recipients, sample_draft, sample_users
):
    # Schools (40) are above the limit, enterprises (30) at it: counted up to 31 and written inline.
    monkeypatch.setitem(app.config, "DISPATCH_INLINE_GROUP_LIMIT", 30)
    publish_now(sample_draft, sample_users)
    assert sorted(_plan(sample_draft).group_ids) == sorted([_group("schools").id, _group("public").id])
    assert len(_warnings(sample_draft)) == RESPONDERS - 40
    expand_all(chunk=100)
    rows = _warnings(sample_draft)
    assert len(rows) == 316 == len({r.address for r in rows})


def test_expansion_keeps_the_township_scope_and_adds_no_later_subscriber(
    sample_recipients, sample_users, sample_kind, sample_levels
):
    towns, revision = published_to_one_township(3000, sample_kind, sample_levels, sample_users)
    size = audience_size(revision)
    # Subscribers who join after the publication are not added to it.
    add_subscribers(500, prefix="+86136", township_ids=[towns[0].id])
    expand_all(chunk=700)
    rows = _warnings(revision)
    town_of = dict(db.session.execute(select(Recipient.id, Recipient.township_id)).all())
    assert len(rows) == size < 316 + 3000
    assert {town_of[r.recipient_id] for r in rows} == {None, towns[0].id}
    assert not [r for r in rows if r.address.startswith("+86136")]


def test_an_expired_revisions_plan_writes_nothing_more_and_closes(
    sample_recipients, sample_draft, sample_users
):
    sample_draft.episode_end = clock.now() + timedelta(minutes=5)
    db.session.commit()
    publish_now(sample_draft, sample_users)
    later = clock.now() + timedelta(minutes=6)
    assert plans.expand_next("w", later, chunk=20_000, lease=LEASE) == 0
    plan = _plan(sample_draft)
    assert (plan.status, plan.cursor, plan.finished_at, plan.lease_owner) == (PlanStatus.DONE, 0, later, None)
    assert len(_warnings(sample_draft)) == RESPONDERS
    assert claims.expire_overdue(later) == RESPONDERS


def test_a_successor_waits_while_the_superseded_revisions_plan_is_open(
    sample_recipients, sample_draft, sample_users, sample_levels
):
    publish_now(sample_draft, sample_users)
    upgrade = propose_change(
        sample_draft.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    publish_now(upgrade, sample_users)
    # The yellow plan's expander is stuck (its lease runs for an hour); the orange plan expands.
    yellow_plan = _plan(sample_draft)
    yellow_plan.lease_owner, yellow_plan.lease_expires_at = "stuck", clock.now() + timedelta(hours=1)
    db.session.commit()
    for _ in range(10):
        plans.expand_next("w", clock.now(), chunk=20_000, lease=LEASE)
    assert (_plan(sample_draft).cursor, _plan(upgrade).status) == (0, PlanStatus.DONE)
    now = clock.now()
    # The subscribers have the orange message and no yellow one yet: it must still wait.
    batch = claims.claim("aliyun", limit=1000, worker="w", lease=LEASE, now=now)
    assert {c.revision_id for c in batch} == {sample_draft.id} and len(batch) == RESPONDERS
    # Once the yellow plan is expanded, its subscribers' messages go first, per address.
    yellow_plan = _plan(sample_draft)
    yellow_plan.lease_expires_at = now
    db.session.commit()
    later = now + timedelta(seconds=1)
    expand_all(later)
    batch = claims.claim("aliyun", limit=1000, worker="w", lease=LEASE, now=later)
    assert {c.revision_id for c in batch} == {sample_draft.id} and len(batch) == PUBLIC_SAMPLE - 3


def test_a_chunk_with_nobody_of_the_plan_is_skipped_within_the_same_call(
    sample_recipients, sample_users, sample_kind, sample_levels
):
    """A township warning skips most subscribers: each call still writes someone (or finishes),
    so an executor never waits a poll interval on an empty range of ids."""
    _towns, revision = published_to_one_township(2000, sample_kind, sample_levels, sample_users)
    written_per_call = []
    while plans.open_plans():
        written_per_call.append(plans.expand_next("w", clock.now(), chunk=10, lease=LEASE))
    assert written_per_call and all(n > 0 for n in written_per_call[:-1])
    assert len(_warnings(revision)) == audience_size(revision)
