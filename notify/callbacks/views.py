from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import OperationalError

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
    # The Twilio SDK loads when Twilio reports back, never in an installation without Twilio.
    from notify.channels import twilio_sms

    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.form.to_dict()
    if not signature or not twilio_sms.status_callback_is_authentic(
        _public_url(), params, signature, current_app.config["TWILIO_AUTH_TOKEN"]
    ):
        return jsonify(error="missing or wrong X-Twilio-Signature"), 403
    try:
        report = twilio_sms.parse_status_callback(params, request.args)
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    now = clock.now()
    if reports.apply(report, now=now) == "unknown":
        # No delivery handed to Twilio under this sid (yet): usually the status overtook the
        # worker's write of the sid, and the executors apply it once that has committed. It
        # changes nothing now; Twilio does not retry on our errors, so it is kept, not refused.
        log.warning("twilio status for a message not handed over (yet): %s", report.provider_id)
        kept = reports.keep_for_later(report, gateway="twilio", now=now)
        db.session.commit()
        reports.recheck([kept], now=now)
    else:
        db.session.commit()
    return "", 204


@bp.post("/aliyun/receipts/<token>")
def aliyun_receipts(token: str):
    # The Aliyun SDK loads when Aliyun pushes receipts, never in an installation without Aliyun.
    from notify.channels import aliyun_sms

    # Aliyun signs no receipt push: the secret in the registered URL is what authenticates it.
    if not aliyun_sms.receipt_is_authentic(token, current_app.config["ALIYUN_RECEIPT_TOKEN"]):
        return jsonify(code=403, msg="unknown receipt token"), 403
    try:
        items = aliyun_sms.parse_receipts(request.get_data())
    except aliyun_sms.PushTooLarge as exc:
        return jsonify(code=413, msg=str(exc)), 413
    except ValueError as exc:
        return jsonify(code=400, msg=str(exc)), 400
    # Rows locked in one order by every writer, and a lost lock race tried again: concurrent
    # pushes and the workers' own writes must not make a receipt fail and be given up.
    items.sort(key=lambda r: (r.provider_id or "", r.address or ""))
    for attempt in range(3):
        try:
            now = clock.now()
            kept = []
            for item in items:
                if reports.apply(item, now=now) == "unknown":
                    # Usually the receipt overtook the worker's write of the BizId; the
                    # executors apply it once that write has committed.
                    kept.append(reports.keep_for_later(item, gateway="aliyun", now=now))
            db.session.commit()
            break
        except OperationalError:
            db.session.rollback()
            log.warning("receipt push hit a lock conflict (try %d)", attempt + 1)
    else:
        return jsonify(code=503, msg="busy, push again"), 503
    reports.recheck(kept, now=now)
    return jsonify(code=0, msg="成功")
