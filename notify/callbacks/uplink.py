"""Aliyun's uplink push (上行短信): a school replying 1 or 收到 confirms its notice.

Every message is kept (inbound_sms), whatever it says; a message Aliyun pushes again (same
sequence_id) is recognised and changes nothing. The push is answered {"code":0} once stored.
"""

from __future__ import annotations

import logging

from flask import current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from notify import clock
from notify.callbacks.views import bp
from notify.extensions import db
from notify.models import InboundSms
from notify.schools import acknowledge

log = logging.getLogger(__name__)
GATEWAY = "aliyun"


@bp.post("/aliyun/uplink/<token>")
def aliyun_uplink(token: str):
    # The Aliyun SDK (under both) loads when Aliyun pushes, never in an installation without Aliyun.
    from notify.channels import aliyun_sms
    from notify.channels import aliyun_uplink as uplink

    if not aliyun_sms.receipt_is_authentic(token, current_app.config["ALIYUN_UPLINK_TOKEN"]):
        return jsonify(code=403, msg="unknown uplink token"), 403
    try:
        messages = uplink.parse(request.get_data())
    except aliyun_sms.PushTooLarge as exc:
        return jsonify(code=413, msg=str(exc)), 413
    except ValueError as exc:
        return jsonify(code=400, msg=str(exc)), 400
    for attempt in range(3):
        try:
            now = clock.now()
            seen = set(
                db.session.scalars(
                    select(InboundSms.sequence_id).where(
                        InboundSms.gateway == GATEWAY,
                        InboundSms.sequence_id.in_([m.sequence_id for m in messages]),
                    )
                )
            )
            for message in messages:
                if message.sequence_id in seen:
                    continue  # a re-push of a message already taken
                seen.add(message.sequence_id)
                outcome = acknowledge.by_reply(message.phone, message.content, now)
                db.session.add(
                    InboundSms(
                        gateway=GATEWAY,
                        sequence_id=message.sequence_id,
                        phone=message.phone,
                        content=message.content,
                        sign_name=message.sign_name,
                        dest_code=message.dest_code,
                        sent_at=message.sent_at,
                        received_at=now,
                        outcome=outcome.outcome,
                        school_notice_id=outcome.notice_id,
                    )
                )
            db.session.commit()
            return jsonify(code=0, msg="成功")
        except (IntegrityError, OperationalError):
            # A concurrent push of the same message, or a lock conflict: look again.
            db.session.rollback()
            log.warning("uplink push hit a conflict (try %d)", attempt + 1)
    return jsonify(code=503, msg="busy, push again"), 503
