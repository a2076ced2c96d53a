"""Claims under a lease, results guarded by it, ordering and expiry, reports that never go back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from notify import clock
from notify.channels.base import Result, StatusReport
from notify.dispatch import claims, reports, results
from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models import Delivery
from notify.models.deliveries import Status
from tests.conftest import proposal, take_to
from tests.notify.dispatch.fixtures import write_accepted

LEASE = timedelta(seconds=60)


def _rows(revision=None):
    query = select(Delivery).order_by(Delivery.id)
    if revision is not None:
        query = query.where(Delivery.revision_id == revision.id)
    db.session.expire_all()
    return db.session.scalars(query).all()


def test_two_workers_never_claim_the_same_row(sample_recipients, sample_published):
    now = clock.now()
    a = claims.claim("aliyun", limit=100, worker="a", lease=LEASE, now=now)
    b = claims.claim("aliyun", limit=1000, worker="b", lease=LEASE, now=now)
    assert len(a) == 100 and len(b) == 313 - 100
    assert not {c.id for c in a} & {c.id for c in b}
    assert claims.claim("aliyun", limit=10, worker="c", lease=LEASE, now=now) == []
    held = {r.id: r for r in _rows() if r.gateway == "aliyun"}
    assert {held[c.id].lease_owner for c in a} == {"a"}
    assert all(held[c.id].status == Status.SENDING for c in a)
    assert all(held[c.id].lease_expires_at == now + LEASE for c in a)


def test_a_dead_workers_batch_is_claimed_again_after_the_lease(sample_recipients, sample_published):
    now = clock.now()
    dead = claims.claim("twilio", limit=10, worker="dead", lease=LEASE, now=now)
    assert len(dead) == 3
    assert claims.claim("twilio", limit=10, worker="alive", lease=LEASE, now=now + LEASE / 2) == []
    again = claims.claim("twilio", limit=10, worker="alive", lease=LEASE, now=now + LEASE * 2)
    assert {c.id for c in again} == {c.id for c in dead}
    # The dead worker wakes up late: its results must not overwrite the new owner's.
    policy = results.RetryPolicy()
    results.apply(
        [Result(c.id, "permanent", code="21211") for c in dead],
        attempts={},
        sender="twilio",
        worker="dead",
        now=now,
        policy=policy,
    )
    assert {r.status for r in _rows() if r.gateway == "twilio"} == {Status.SENDING}
    results.apply(
        [Result(c.id, "accepted", provider_id=f"SM{c.id}") for c in again],
        attempts={},
        sender="twilio",
        worker="alive",
        now=now,
        policy=policy,
    )
    rows = [r for r in _rows() if r.gateway == "twilio"]
    assert {r.status for r in rows} == {Status.ACCEPTED} and {r.lease_owner for r in rows} == {None}


def test_transient_errors_back_off_then_become_dead_letters(sample_recipients, sample_published):
    policy = results.RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=60)
    now = clock.now()
    for attempt in range(1, 4):
        batch = claims.claim("twilio", limit=10, worker="w", lease=LEASE, now=now)
        assert len(batch) == 3, attempt
        results.apply(
            [Result(c.id, "transient", code="20429", reason="throttled") for c in batch],
            attempts={c.id: c.attempts for c in batch},
            sender="twilio",
            worker="w",
            now=now,
            policy=policy,
        )
        rows = [r for r in _rows() if r.gateway == "twilio"]
        assert {r.attempts for r in rows} == {attempt}
        if attempt < 3:
            assert {r.status for r in rows} == {Status.PENDING}
            delays = [(r.next_attempt_at - now).total_seconds() for r in rows]
            ceiling = min(60, 10 * 2 ** (attempt - 1))
            assert all(ceiling / 2 <= d <= ceiling for d in delays)
            # Not due yet: nothing to claim until the backoff has passed.
            assert claims.claim("twilio", limit=10, worker="w", lease=LEASE, now=now) == []
            now = max(r.next_attempt_at for r in rows)
    assert {(r.status, r.error_code) for r in rows} == {(Status.DEAD, "20429")}
    assert all(r.finished_at is not None for r in rows)


def test_superseding_message_waits_for_the_superseded_one_at_each_address(
    sample_recipients, sample_published, sample_users, sample_levels
):
    upgrade = propose_change(
        sample_published.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    take_to(upgrade, "published", sample_users)
    now = clock.now()
    first = claims.claim("twilio", limit=50, worker="w", lease=LEASE, now=now)
    assert {c.revision_id for c in first} == {sample_published.id}  # the orange ones wait
    assert claims.claim("twilio", limit=50, worker="w", lease=LEASE, now=now) == []
    policy = results.RetryPolicy()
    results.apply(
        [Result(c.id, "accepted", provider_id=f"SM{c.id}") for c in first],
        attempts={},
        sender="twilio",
        worker="w",
        now=now,
        policy=policy,
    )
    # Handed over but not yet delivered: still waiting, within the hold.
    assert claims.claim("twilio", limit=50, worker="w", lease=LEASE, now=now + timedelta(seconds=5)) == []
    delivered = first[0]
    reports.apply(
        StatusReport("delivered", provider_id=f"SM{delivered.id}", delivery_id=delivered.id), now=now
    )
    db.session.commit()
    second = claims.claim("twilio", limit=50, worker="w", lease=LEASE, now=now + timedelta(seconds=5))
    assert [c.address for c in second] == [delivered.address]
    assert second[0].revision_id == upgrade.id
    # A receipt that never comes does not block a warning for ever.
    late = claims.claim("twilio", limit=50, worker="w", lease=LEASE, now=now + timedelta(seconds=61))
    assert {c.address for c in late} == {c.address for c in first[1:]}


def test_an_expired_revision_is_not_sent(sample_draft, sample_users, sample_recipients):
    sample_draft.episode_end = clock.now() + timedelta(minutes=5)
    db.session.commit()
    take_to(sample_draft, "published", sample_users)
    later = clock.now() + timedelta(minutes=6)
    assert claims.claim("aliyun", limit=1000, worker="w", lease=LEASE, now=later) == []
    assert claims.expire_overdue(later) == 316
    assert {r.status for r in _rows(sample_draft)} == {Status.EXPIRED}


def _accepted(revision, now):
    batch = claims.claim("twilio", limit=10, worker="w", lease=LEASE, now=now)
    results.apply(
        [Result(c.id, "accepted", provider_id=f"SM{c.id:032d}") for c in batch],
        attempts={},
        sender="twilio",
        worker="w",
        now=now,
        policy=results.RetryPolicy(),
    )
    return batch


def test_reports_never_move_a_status_backwards(sample_recipients, sample_published):
    now = clock.now()
    c = _accepted(sample_published, now)[0]
    sid = f"SM{c.id:032d}"
    assert reports.apply(StatusReport("delivered", provider_id=sid), now=now) == "applied"
    assert reports.apply(StatusReport("sent", provider_id=sid), now=now) == "stale"
    assert reports.apply(StatusReport("undelivered", provider_id=sid, code="30003"), now=now) == "stale"
    db.session.commit()
    row = db.session.get(Delivery, c.id)
    db.session.refresh(row)
    assert row.status == Status.DELIVERED and row.error_code is None and row.finished_at is not None
    assert reports.apply(StatusReport("delivered", provider_id="SMunknown"), now=now) == "unknown"


def test_an_undelivered_report_keeps_the_carrier_code(sample_recipients, sample_published):
    now = clock.now()
    c = _accepted(sample_published, now)[1]
    reports.apply(StatusReport("sent", provider_id=f"SM{c.id:032d}"), now=now)
    reports.apply(
        StatusReport(
            "undelivered", provider_id=f"SM{c.id:032d}", code="30005", reason="unknown destination handset"
        ),
        now=now,
    )
    db.session.commit()
    row = db.session.get(Delivery, c.id)
    db.session.refresh(row)
    assert (row.status, row.error_code) == (Status.UNDELIVERED, "30005")


def test_a_report_matches_a_domestic_batch_by_bizid_and_number(sample_recipients, sample_published):
    now = clock.now()
    batch = claims.claim("aliyun", limit=5, worker="w", lease=LEASE, now=now)
    results.apply(
        [Result(c.id, "accepted", provider_id="BIZ-1") for c in batch],
        attempts={},
        sender="aliyun",
        worker="w",
        now=now,
        policy=results.RetryPolicy(),
    )
    target = batch[2]
    assert (
        reports.apply(StatusReport("delivered", provider_id="BIZ-1", address=target.address), now=now)
        == "applied"
    )
    db.session.commit()
    statuses = {r.id: r.status for r in _rows() if r.provider_id == "BIZ-1"}
    assert statuses.pop(target.id) == Status.DELIVERED
    assert set(statuses.values()) == {Status.ACCEPTED}


def test_a_callback_that_arrives_before_the_send_is_recorded_still_counts(
    sample_recipients, sample_published
):
    """Twilio may post `sent` before our worker has written the accepted result: it moves nothing
    yet (the message is not handed over as far as we know), is kept, and applies once the worker
    has written the sid."""
    now = clock.now()
    batch = claims.claim("twilio", limit=1, worker="w", lease=LEASE, now=now)
    c = batch[0]
    early = StatusReport("sent", provider_id="SMearly", delivery_id=c.id, gateway="twilio")
    assert reports.apply(early, now=now) == "unknown"
    reports.keep_for_later(early, gateway="twilio", now=now)
    db.session.commit()
    write_accepted(c.id, "SMearly", now)
    db.session.commit()
    assert reports.retry_unmatched(now) == (1, 0)
    row = db.session.get(Delivery, c.id)
    db.session.refresh(row)
    assert (row.status, row.provider_id, row.lease_owner) == (Status.SENT, "SMearly", None)


def test_a_report_must_name_something(app):
    with pytest.raises(ValueError):
        reports.apply(StatusReport("delivered"), now=clock.now())


def test_a_kept_receipt_keeps_the_poll_chain_alive_until_it_is_applied(sample_recipients, sample_published):
    """Once every row is handed over nothing is claimable; a receipt kept because it overtook
    the sid's write still needs a housekeeping round, so the Celery chain must keep polling."""
    now = clock.now()
    batch = claims.claim("twilio", limit=1, worker="w", lease=LEASE, now=now)
    c = batch[0]
    before = claims.outstanding()
    early = StatusReport("delivered", provider_id="SMkept", delivery_id=c.id, gateway="twilio")
    reports.keep_for_later(early, gateway="twilio", now=now)
    db.session.commit()
    assert claims.outstanding() == before + 1
    write_accepted(c.id, "SMkept", now)
    assert reports.retry_unmatched(now) == (1, 0)
    assert claims.outstanding() == before - 1  # the row is final and the receipt spent


def test_a_stray_receipt_stops_keeping_the_chain_alive_after_a_while(sample_recipients, sample_published):
    now = clock.now()
    stray = StatusReport("delivered", provider_id="SMstray", gateway="twilio")
    reports.keep_for_later(stray, gateway="twilio", now=now - reports.KEEP_POLLING)
    db.session.commit()
    assert reports.waiting(now) == 0
    assert reports.waiting(now - timedelta(seconds=1)) == 1


def test_a_receipt_kept_while_the_sid_was_being_written_is_applied_by_its_own_callback(
    sample_recipients, sample_published
):
    """The worker's write committed between the callback's apply and its commit: the recheck
    after the commit finds the delivery, so no poll has to catch it."""
    now = clock.now()
    c = claims.claim("twilio", limit=1, worker="w", lease=LEASE, now=now)[0]
    early = StatusReport("delivered", provider_id="SMgap", delivery_id=c.id, gateway="twilio")
    assert reports.apply(early, now=now) == "unknown"
    kept = reports.keep_for_later(early, gateway="twilio", now=now)
    write_accepted(c.id, "SMgap", now)
    assert reports.recheck([kept], now=now) == 1
    assert reports.waiting(now) == 0
    row = db.session.get(Delivery, c.id)
    db.session.refresh(row)
    assert row.status == Status.DELIVERED
