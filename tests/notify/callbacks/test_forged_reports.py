"""Reports about messages a gateway never got change nothing; oversized or deeply nested pushes
are refused before anything of them is applied (issue 13, items 5 and 7)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from notify import clock
from notify.channels.aliyun_sms import MAX_PUSH_ITEMS
from notify.dispatch import claims, reports
from notify.extensions import db
from notify.models import Delivery, InboundSms, UnmatchedReport
from notify.models.deliveries import Status
from tests.conftest import fresh
from tests.notify.dispatch.fixtures import write_accepted

LEASE = timedelta(seconds=60)


def _pending(gateway: str) -> Delivery:
    return db.session.scalars(
        select(Delivery)
        .where(Delivery.gateway == gateway, Delivery.status == Status.PENDING)
        .order_by(Delivery.id)
        .limit(1)
    ).one()


def _hand_over(gateway: str, provider_id: str) -> Delivery:
    now = clock.now()
    [row] = claims.claim(gateway, limit=1, worker="w", lease=LEASE, now=now)
    write_accepted(row.id, provider_id, now, gateway=gateway)
    db.session.commit()
    return db.session.get(Delivery, row.id)


def _status(delivery_id: int) -> str:
    fresh()
    return db.session.get(Delivery, delivery_id).status


def _twilio_status(app, client, delivery_id: int, sid: str, status: str = "delivered"):
    path = f"/callbacks/twilio/status?d={delivery_id}"
    params = {"MessageSid": sid, "MessageStatus": status}
    url = app.config["CALLBACK_BASE_URL"].rstrip("/") + path
    signature = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _receipt(address: str, biz_id: str, out_id: str) -> dict:
    return {
        "phone_number": address.removeprefix("+86"),
        "send_time": "2026-11-23 12:00:00",
        "report_time": "2026-11-23 12:00:05",
        "success": True,
        "err_code": "DELIVERED",
        "err_msg": "用户接收成功",
        "sms_size": "1",
        "biz_id": biz_id,
        "out_id": out_id,
    }


def _push_receipts(app, client, body):
    return client.post(
        f"/callbacks/aliyun/receipts/{app.config['ALIYUN_RECEIPT_TOKEN']}",
        data=body if isinstance(body, bytes) else json.dumps(body),
        content_type="application/json",
    )


def test_a_signed_status_for_a_message_never_sent_leaves_it_to_be_sent(
    app, client, sample_recipients, sample_published
):
    waiting = _pending("twilio")
    response = _twilio_status(app, client, waiting.id, "SM" + "f" * 32)
    assert response.status_code == 204
    assert _status(waiting.id) == Status.PENDING
    # Kept, in case it only overtook the worker's write of the sid; it matches nothing meanwhile.
    assert db.session.scalar(select(func.count()).select_from(UnmatchedReport)) == 1
    assert reports.retry_unmatched(clock.now()) == (0, 0)
    assert _status(waiting.id) == Status.PENDING


def test_a_status_that_overtakes_the_send_is_applied_once_the_sid_is_written(
    app, client, sample_recipients, sample_published
):
    now = clock.now()
    [row] = claims.claim("twilio", limit=1, worker="w", lease=LEASE, now=now)
    db.session.commit()
    sid = "SM" + "e" * 32
    assert _twilio_status(app, client, row.id, sid, "sent").status_code == 204
    assert _status(row.id) == Status.SENDING  # not handed over yet: nothing moves
    write_accepted(row.id, sid, now)
    db.session.commit()
    assert reports.retry_unmatched(clock.now()) == (1, 0)
    assert _status(row.id) == Status.SENT


def test_a_receipt_naming_a_message_never_sent_changes_nothing(
    app, client, sample_recipients, sample_published
):
    waiting = _pending("aliyun")
    response = _push_receipts(app, client, [_receipt(waiting.address, "BIZ-FORGED", str(waiting.id))])
    assert response.status_code == 200 and response.get_json()["code"] == 0
    assert _status(waiting.id) == Status.PENDING


def test_a_receipt_for_another_gateways_message_changes_nothing(
    app, client, sample_recipients, sample_published
):
    sid = "SM" + "d" * 32
    abroad = _hand_over("twilio", sid)
    # The Twilio message's own sid, number and id, pushed as if Aliyun had delivered it.
    response = _push_receipts(app, client, [_receipt(abroad.address, sid, str(abroad.id))])
    assert response.status_code == 200
    assert _status(abroad.id) == Status.ACCEPTED


def test_a_receipt_for_a_handed_over_message_still_applies(app, client, sample_recipients, sample_published):
    sent = _hand_over("aliyun", "BIZ-REAL")
    assert _push_receipts(app, client, [_receipt(sent.address, "BIZ-REAL", str(sent.id))]).status_code == 200
    assert _status(sent.id) == Status.DELIVERED


def test_a_push_of_more_receipts_than_aliyun_sends_is_413_and_applies_none(
    app, client, sample_recipients, sample_published
):
    sent = _hand_over("aliyun", "BIZ-MANY")
    good = _receipt(sent.address, "BIZ-MANY", str(sent.id))
    response = _push_receipts(app, client, [good] * (MAX_PUSH_ITEMS + 1))
    assert response.status_code == 413
    assert _status(sent.id) == Status.ACCEPTED


def test_deeply_nested_pushes_are_400_not_a_crash(app, client, sample_recipients, sample_published):
    deep = b"[" * 100_000 + b"]" * 100_000
    assert _push_receipts(app, client, deep).status_code == 400
    nested = json.dumps([{"phone_number": "13800000000", "biz_id": {"a": [[[]]]}}]).encode()
    assert _push_receipts(app, client, nested).status_code == 400
    uplink = f"/callbacks/aliyun/uplink/{app.config['ALIYUN_UPLINK_TOKEN']}"
    assert client.post(uplink, data=deep, content_type="application/json").status_code == 400
    many = [
        {"phone_number": "13800000000", "content": "1", "sequence_id": i} for i in range(MAX_PUSH_ITEMS + 1)
    ]
    assert client.post(uplink, data=json.dumps(many), content_type="application/json").status_code == 413
    fresh()
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 0
