"""Callbacks and receipts that are unsigned, wrongly signed or malformed change nothing."""

from __future__ import annotations

import json

from sqlalchemy import select
from twilio.request_validator import RequestValidator

from notify import clock
from notify.channels.base import Result
from notify.dispatch import claims, results
from notify.extensions import db
from notify.models import Delivery, UnmatchedReport
from notify.models.deliveries import Status
from tests.conftest import fresh


def _accepted_twilio_row():
    from datetime import timedelta

    now = clock.now()
    batch = claims.claim("twilio", limit=1, worker="w", lease=timedelta(seconds=60), now=now)
    sid = "SM" + "a" * 32
    results.apply(
        [Result(batch[0].id, "accepted", provider_id=sid)],
        attempts={},
        sender="twilio",
        worker="w",
        now=now,
        policy=results.RetryPolicy(),
    )
    return batch[0].id, sid


def _status(delivery_id):
    fresh()
    return db.session.get(Delivery, delivery_id).status


def _signed(app, path, params, token=None):
    url = app.config["CALLBACK_BASE_URL"].rstrip("/") + path
    return RequestValidator(token or app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)


def test_twilio_status_needs_a_valid_signature(app, client, sample_recipients, sample_published):
    delivery_id, sid = _accepted_twilio_row()
    path = f"/callbacks/twilio/status?d={delivery_id}"
    params = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": app.config["TWILIO_ACCOUNT_SID"]}
    assert client.post(path, data=params).status_code == 403
    bad = _signed(app, path, params, token="not-the-token")
    assert client.post(path, data=params, headers={"X-Twilio-Signature": bad}).status_code == 403
    # Signed for other parameters: the body was tampered with.
    other = _signed(app, path, {**params, "MessageStatus": "sent"})
    assert client.post(path, data=params, headers={"X-Twilio-Signature": other}).status_code == 403
    # Signed for another delivery: the URL was tampered with.
    moved = _signed(app, f"/callbacks/twilio/status?d={delivery_id + 1}", params)
    assert client.post(path, data=params, headers={"X-Twilio-Signature": moved}).status_code == 403
    assert _status(delivery_id) == Status.ACCEPTED
    good = _signed(app, path, params)
    assert client.post(path, data=params, headers={"X-Twilio-Signature": good}).status_code == 204
    assert _status(delivery_id) == Status.DELIVERED


def test_a_signed_but_malformed_status_is_a_400(app, client, sample_recipients, sample_published):
    delivery_id, sid = _accepted_twilio_row()
    path = f"/callbacks/twilio/status?d={delivery_id}"
    params = {"MessageSid": sid, "MessageStatus": "exploded"}
    response = client.post(path, data=params, headers={"X-Twilio-Signature": _signed(app, path, params)})
    assert response.status_code == 400 and "MessageStatus" in response.get_json()["error"]
    assert _status(delivery_id) == Status.ACCEPTED


def _receipt(address, biz_id, success=True):
    return {
        "phone_number": address.removeprefix("+86"),
        "send_time": "2026-11-23 12:00:00",
        "report_time": "2026-11-23 12:00:05",
        "success": success,
        "err_code": "DELIVERED" if success else "MK:0001",
        "err_msg": "用户接收成功" if success else "失败",
        "sms_size": "1",
        "biz_id": biz_id,
        "out_id": "b1",
    }


def _accepted_aliyun_row():
    from datetime import timedelta

    now = clock.now()
    batch = claims.claim("aliyun", limit=2, worker="w", lease=timedelta(seconds=60), now=now)
    results.apply(
        [Result(c.id, "accepted", provider_id="900000000000000000^0") for c in batch],
        attempts={},
        sender="aliyun",
        worker="w",
        now=now,
        policy=results.RetryPolicy(),
    )
    return batch


def test_receipts_need_the_secret_in_their_url(app, client, sample_recipients, sample_published):
    batch = _accepted_aliyun_row()
    body = json.dumps([_receipt(c.address, "900000000000000000^0") for c in batch])
    for token in ("wrong-token-0000000000", "", app.config["ALIYUN_RECEIPT_TOKEN"] + "x"):
        response = client.post(
            f"/callbacks/aliyun/receipts/{token}", data=body, content_type="application/json"
        )
        assert response.status_code in (403, 404, 405)
    assert {_status(c.id) for c in batch} == {Status.ACCEPTED}
    ok = client.post(
        f"/callbacks/aliyun/receipts/{app.config['ALIYUN_RECEIPT_TOKEN']}",
        data=body,
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.get_json()["code"] == 0
    assert {_status(c.id) for c in batch} == {Status.DELIVERED}
    # Re-pushed: answered the same, nothing moves.
    again = client.post(
        f"/callbacks/aliyun/receipts/{app.config['ALIYUN_RECEIPT_TOKEN']}",
        data=body,
        content_type="application/json",
    )
    assert again.get_json()["code"] == 0 and {_status(c.id) for c in batch} == {Status.DELIVERED}


def test_malformed_receipts_are_refused_whole(app, client, sample_recipients, sample_published):
    batch = _accepted_aliyun_row()
    url = f"/callbacks/aliyun/receipts/{app.config['ALIYUN_RECEIPT_TOKEN']}"
    good = _receipt(batch[0].address, "900000000000000000^0")
    for body in ("not json", json.dumps({"phone_number": "1"}), json.dumps([good, {"success": True}])):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 400
    assert {_status(c.id) for c in batch} == {Status.ACCEPTED}


def test_a_receipt_that_overtakes_the_send_is_applied_later(app, client, sample_recipients, sample_published):
    from datetime import timedelta

    from notify.dispatch import reports

    now = clock.now()
    batch = claims.claim("aliyun", limit=1, worker="w", lease=timedelta(seconds=60), now=now)
    url = f"/callbacks/aliyun/receipts/{app.config['ALIYUN_RECEIPT_TOKEN']}"
    response = client.post(
        url, data=json.dumps([_receipt(batch[0].address, "BIZ-EARLY")]), content_type="application/json"
    )
    assert response.get_json()["code"] == 0
    fresh()
    assert len(db.session.scalars(select(UnmatchedReport)).all()) == 1
    results.apply(
        [Result(batch[0].id, "accepted", provider_id="BIZ-EARLY")],
        attempts={},
        sender="aliyun",
        worker="w",
        now=now,
        policy=results.RetryPolicy(),
    )
    assert reports.retry_unmatched(clock.now()) == (1, 0)
    assert _status(batch[0].id) == Status.DELIVERED
    assert db.session.scalars(select(UnmatchedReport)).all() == []


def test_receipts_that_stay_unmatched_do_not_hide_the_ones_behind_them(
    app, sample_recipients, sample_published
):
    from datetime import timedelta

    from notify.channels.base import StatusReport
    from notify.dispatch import reports

    now = clock.now()
    for i in range(3):  # e.g. the first BizId of messages that were sent again
        reports.keep_for_later(
            StatusReport("delivered", provider_id=f"GONE-{i}", address="+8613900000000"),
            gateway="aliyun",
            now=now,
        )
    batch = claims.claim("aliyun", limit=1, worker="w", lease=timedelta(seconds=60), now=now)
    reports.keep_for_later(
        StatusReport("delivered", provider_id="LATE", address=batch[0].address), gateway="aliyun", now=now
    )
    db.session.commit()
    results.apply(
        [Result(batch[0].id, "accepted", provider_id="LATE")],
        attempts={},
        sender="aliyun",
        worker="w",
        now=now,
        policy=results.RetryPolicy(),
    )
    settled, after = reports.retry_unmatched(now, limit=2)
    assert (settled, after) == (0, 2)
    settled, after = reports.retry_unmatched(now, after=after, limit=2)
    assert (settled, after) == (1, 4) and _status(batch[0].id) == Status.DELIVERED
    settled, after = reports.retry_unmatched(now, after=after, limit=2)
    assert (settled, after) == (0, 0)
    # An hour on, the ones that never matched are forgotten.
    assert reports.retry_unmatched(now + timedelta(hours=2), limit=10) == (3, 0)
