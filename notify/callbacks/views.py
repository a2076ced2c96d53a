from __future__ import annotations

import hmac
import logging

from flask import Blueprint, current_app, jsonify, request

from notify import clock
from notify.dispatch import reports
from notify.extensions import csrf, db

log = logging.getLogger(__name__)
bp = Blueprint("callbacks", __name__, url_prefix="/callbacks")
csrf.exempt(bp)


def _public_url() -> str:
    """The URL the gateway signed: our configured public address, not what a proxy forwarded."""
    base = current_app.config["CALLBACK_BASE_URL"].rstrip("/")
    query = request.query_string.decode()
    return f"{base}{request.path}" + (f"?{query}" if query else "")


@bp.post("/twilio/status")
def twilio_status():
    from notify.channels import twilio_sms

    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict()
    if not signature or not twilio_sms.status_callback_is_authentic(
            _public_url(), params, signature, current_app.config["TWILIO_AUTH_TOKEN"]):
        return jsonify(error="missing or wrong X-Twilio-Signature"), 403
    try:
        report = twilio_sms.parse_status_callback(params)
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    delivery = request.args.get("d", "")
    if delivery:
        if not delivery.isdigit():
            return jsonify(error="d must be a delivery id"), 400
        report = _with_delivery(report, int(delivery))
    outcome = reports.apply(report, now=clock.now())
    db.session.commit()
    # Twilio does not retry on our errors, so an unknown sid is logged, not refused.
    if outcome == "unknown":
        log.warning("twilio status for unknown message %s", report.provider_id)
    return "", 204


def _with_delivery(report, delivery_id: int):
    from dataclasses import replace

    return replace(report, delivery_id=delivery_id)


@bp.post("/aliyun/receipts/<token>")
def aliyun_receipts(token: str):
    from notify.channels import aliyun_sms

    expected = current_app.config["ALIYUN_RECEIPT_TOKEN"]
    if not hmac.compare_digest(token.encode(), expected.encode()):
        return jsonify(code=403, msg="unknown receipt token"), 403
    try:
        items = aliyun_sms.parse_receipts(request.get_data())
    except ValueError as exc:
        return jsonify(code=400, msg=str(exc)), 400
    now = clock.now()
    unknown = 0
    for item in items:
        if reports.apply(item, now=now) == "unknown":
            unknown += 1
    db.session.commit()
    if unknown:
        # Not {"code":0}: Aliyun pushes the batch again later, by when the send that produced
        # these BizIds has committed. Items already applied are not moved again.
        return jsonify(code=1, msg=f"{unknown} receipt(s) match no message yet"), 200
    return jsonify(code=0, msg="成功")
