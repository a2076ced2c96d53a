"""From publication to the last receipt, through the real SDKs and the stand-ins."""

from __future__ import annotations

from sqlalchemy import func, select

from notify.extensions import db
from notify.models import Delivery, GatewayEvent
from notify.models.deliveries import Status
from tests.conftest import take_to
from tests.notify.dispatch.conftest import wait_until_final


def _by_status():
    db.session.rollback()
    return dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())


def test_every_recipient_gets_one_message_and_its_receipt(
    sample_recipients, sample_draft, sample_users, wired, run_executor
):
    run_executor()
    take_to(sample_draft, "published", sample_users)
    counts = wait_until_final(316)
    assert counts == {Status.DELIVERED: 316}
    aliyun, twilio = wired["aliyun"].messages, wired["twilio"].messages
    assert len(aliyun.all(accepted=True)) == 313 and aliyun.duplicates() == {}
    assert len(twilio.all(accepted=True)) == 3 and twilio.duplicates() == {}
    # The text is the snapshot's, in the recipient's language, and each phone shows the signature
    # once: Aliyun puts its SignName in front itself, Twilio sends the one written into the text.
    texts = sample_draft.snapshot.content["texts"]["sms"]
    assert {m.body for m in aliyun.all(accepted=True)} == {"【盂县应急指挥部】" + texts["zh"]}
    assert {m.body for m in twilio.all(accepted=True)} == {"[Yu County emergency command] " + texts["en"]}
    rows = db.session.scalars(select(Delivery)).all()
    assert all(r.provider_id and r.accepted_at and r.finished_at for r in rows)
    assert {r.gateway for r in rows if r.address.startswith("+86")} == {"aliyun"}
    # The parts written per delivery are the parts each provider billed.
    billed = {"+86" + m.to: m.segments for m in aliyun.all(accepted=True)}
    billed |= {m.to: m.segments for m in twilio.all(accepted=True)}
    assert {r.address: r.segments for r in rows} == billed


def test_permanent_refusals_end_failed_with_the_code(
    sample_recipients, sample_draft, sample_users, wired, run_executor
):
    wired["twilio"].faults.update(
        number_errors={
            "+447911123456": {"stage": "create", "code": "21211"},
            "+14155552671": {"stage": "report", "code": "30006"},
        }
    )
    run_executor()
    take_to(sample_draft, "published", sample_users)
    wait_until_final(316)
    rows = {r.address: r for r in db.session.scalars(select(Delivery))}
    assert (rows["+447911123456"].status, rows["+447911123456"].error_code) == (Status.FAILED, "21211")
    assert (rows["+14155552671"].status, rows["+14155552671"].error_code) == (Status.UNDELIVERED, "30006")
    assert rows["+61412345678"].status == Status.DELIVERED


def test_under_5xx_timeouts_and_throttling_nothing_is_lost(
    sample_recipients, sample_draft, sample_users, wired, run_executor
):
    for standin in (wired["aliyun"], wired["twilio"]):
        standin.faults.update(
            error_5xx_share=0.15, timeout_share=0.15, timeout_hold_ms=1500, throttle_per_second=400, seed=7
        )
    run_executor(DISPATCH_BATCH_ALIYUN=40)
    take_to(sample_draft, "published", sample_users)
    counts = wait_until_final(316, timeout=60)
    assert sum(counts.values()) == 316
    assert set(counts) <= {Status.DELIVERED, Status.FAILED, Status.DEAD}, counts
    assert counts.get(Status.DELIVERED, 0) > 250
    rows = db.session.scalars(select(Delivery)).all()
    for r in rows:
        if r.status != Status.DELIVERED:
            assert r.error_code and r.error_reason, (r.address, r.status)
    retried = [r for r in rows if r.attempts > 1]
    assert retried, "the faults should have forced retries"
    # A retried message that had in fact been accepted (the answer timed out) may arrive twice;
    # no number gets more than its attempts.
    received = wired["aliyun"].messages.count_per_number()
    by_number = {r.address[3:]: r for r in rows if r.address.startswith("+86")}
    assert all(received[n] <= by_number[n].attempts for n in received)


def test_a_dead_domestic_gateway_fails_over_to_twilio_and_says_so(
    sample_recipients, sample_draft, sample_users, wired, run_executor
):
    wired["aliyun"].faults.update(error_5xx_share=1.0)
    run_executor(BREAKER_THRESHOLD=3, DISPATCH_BATCH_ALIYUN=20, DISPATCH_BATCH_TWILIO=50)
    take_to(sample_draft, "published", sample_users)
    counts = wait_until_final(316, timeout=60)
    assert counts == {Status.DELIVERED: 316}
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.gateway == "twilio"))
        > 250
    )
    events = {(e.gateway, e.event) for e in db.session.scalars(select(GatewayEvent))}
    assert ("aliyun", "circuit_open") in events and ("aliyun", "failover") in events


def test_dead_letters_after_the_last_retry(
    sample_recipients, sample_draft, sample_users, wired, run_executor
):
    throttled = {"stage": "create", "code": "20429"}  # Twilio's "too many requests", every time
    wired["twilio"].faults.update(
        number_errors={n: throttled for n in ("+447911123456", "+14155552671", "+61412345678")}
    )
    run_executor(DISPATCH_MAX_ATTEMPTS=3)
    take_to(sample_draft, "published", sample_users)
    wait_until_final(316, timeout=30)
    rows = [r for r in db.session.scalars(select(Delivery)) if not r.address.startswith("+86")]
    assert {(r.status, r.error_code, r.attempts) for r in rows} == {(Status.DEAD, "20429", 3)}
