"""The outbox: deliveries written in the same transaction that publishes a revision.

Fan-out is one INSERT … SELECT over the recipients the revision's audience rules pick, so a
million recipients cost one statement, not a million ORM objects. Nothing here sends; the
executors drain the outbox after the transaction commits (see notify.dispatch.wakeup).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import String, and_, case, cast, insert, literal, select

from notify import clock
from notify.audience import audience_select
from notify.channels import phone, sms_segments
from notify.channels.phone import DOMESTIC_PREFIX
from notify.channels.sms_signature import Signatures
from notify.dispatch import routing, wakeup
from notify.extensions import db
from notify.models import Delivery, PartnerWebhook, Recipient, Revision, Robot
from notify.models.deliveries import Status
from notify.row_counts import rows_written


def write_deliveries(revision: Revision, now: datetime | None = None) -> int:
    """Write one pending delivery per (address, channel) of the revision's audience."""
    now = now or clock.now()
    texts = revision.frozen_content["texts"]["sms"]
    signatures = Signatures.from_config(current_app.config)
    segments = {
        (loc, gateway): sms_segments.count(signatures.phone_text(text, gateway, loc)).segments
        for loc, text in texts.items()
        for gateway in routing.SMS_ROUTES
    }
    table = Delivery.__table__
    ts = table.c.created_at.type
    expires = None if revision.action == "lift" else revision.episode_end
    recipients = Recipient.__table__
    # Numbers, routed by prefix: the statement the SMS fan-out always was, robots left out.
    sub = audience_select(revision).where(recipients.c.channel != routing.ROBOT_CHANNEL).subquery()
    source = select(
        literal(revision.id),
        literal(revision.supersedes_id, table.c.after_revision_id.type),
        literal("warning"),
        sub.c.channel,
        sub.c.address,
        sub.c.recipient_id,
        sub.c.locale,
        literal(Status.PENDING),
        routing.gateway_sql(sub.c.address),
        literal(0),
        literal(now, ts),
        literal(expires, ts),
        _segments_case(sub.c.locale, sub.c.address, segments),
        literal(now, ts),
        literal(now, ts),
    )
    columns = [
        "revision_id",
        "after_revision_id",
        "purpose",
        "channel",
        "address",
        "recipient_id",
        "locale",
        "status",
        "gateway",
        "attempts",
        "next_attempt_at",
        "expires_at",
        "segments",
        "created_at",
        "updated_at",
    ]
    written = rows_written(db.session.execute(insert(table).from_select(columns, source)))
    # Robots, routed to the gateway of their kind; a robot deactivated or removed in the console
    # is not written (it would wait for ever). A second statement, so the robot join never
    # touches the million-row SMS one.
    robots = Robot.__table__
    sub = audience_select(revision).where(recipients.c.channel == routing.ROBOT_CHANNEL).subquery()
    source = select(
        literal(revision.id),
        literal(revision.supersedes_id, table.c.after_revision_id.type),
        literal("warning"),
        sub.c.channel,
        sub.c.address,
        sub.c.recipient_id,
        sub.c.locale,
        literal(Status.PENDING),
        robots.c.kind,
        literal(0),
        literal(now, ts),
        literal(expires, ts),
        literal(now, ts),
        literal(now, ts),
    ).join_from(
        sub,
        robots,
        and_(robots.c.active.is_(True), literal("robot:") + cast(robots.c.id, String) == sub.c.address),
    )
    robot_columns = [c for c in columns if c != "segments"]
    written += rows_written(db.session.execute(insert(table).from_select(robot_columns, source)))
    written += _write_partner_webhooks(revision, now, expires)
    wakeup.after_commit(db.session)
    return written


def _write_partner_webhooks(revision: Revision, now: datetime, expires: datetime | None) -> int:
    """One delivery per active partner webhook of the jurisdiction; exercises stay in-house."""
    if revision.warning.is_exercise:
        return 0
    table = Delivery.__table__
    ts = table.c.created_at.type
    hook = PartnerWebhook.__table__
    source = select(
        literal(revision.id),
        literal(revision.supersedes_id, table.c.after_revision_id.type),
        literal("warning"),
        literal(routing.WEBHOOK),
        literal("webhook:") + cast(hook.c.id, String),
        literal("zh"),
        literal(Status.PENDING),
        literal(routing.WEBHOOK),
        literal(0),
        literal(now, ts),
        literal(expires, ts),
        literal(now, ts),
        literal(now, ts),
    ).where(hook.c.active.is_(True), hook.c.jurisdiction_id == revision.warning.jurisdiction_id)
    columns = [
        "revision_id",
        "after_revision_id",
        "purpose",
        "channel",
        "address",
        "locale",
        "status",
        "gateway",
        "attempts",
        "next_attempt_at",
        "expires_at",
        "created_at",
        "updated_at",
    ]
    return rows_written(db.session.execute(insert(table).from_select(columns, source)))


def _segments_case(locale_column, address_column, segments: dict[tuple[str, str], int]):
    """Parts per delivery as its phone shows the text: per language and route (each route shows
    its own signature). Other languages get the Chinese text, as texts.body_for sends it."""
    domestic = address_column.like(DOMESTIC_PREFIX + "%")
    whens = []
    for (loc, gateway), n in segments.items():
        on_route = domestic if gateway == routing.DOMESTIC else ~domestic
        whens.append((and_(locale_column == loc, on_route), n))
    return case(
        *whens,
        (domestic, segments.get(("zh", routing.DOMESTIC), 1)),
        else_=segments.get(("zh", routing.INTERNATIONAL), 1),
    )


def phone_segments(body: str, address: str, locale: str) -> int:
    """Parts one message costs, counted as its phone shows it: with its route's signature."""
    signatures = Signatures.from_config(current_app.config)
    return sms_segments.count(signatures.phone_text(body, routing.gateway_for(address), locale)).segments


# One-off messages whose address and text must not outlive their sending: a tip-off receipt
# carries the reporter's phone and the ticket's query code, which are otherwise kept encrypted.
PRIVATE_PURPOSES = ("tipoff_received",)


def enqueue_message(
    address: str, body: str, *, purpose: str, channel: str = "sms", locale: str | None = None
) -> Delivery:
    """One message outside any warning (a tip-off confirmation): one pending delivery.

    `locale` is the language of `body` (it picks the signature Twilio's text carries); without
    it, the number's country decides. Raises phone.InvalidNumber for a number SMS cannot reach;
    the caller decides what to say.
    """
    e164 = phone.normalise(address)
    now = clock.now()
    locale = locale or ("zh" if phone.is_domestic(e164) else "en")
    delivery = Delivery(
        purpose=purpose,
        channel=channel,
        address=e164,
        body=body,
        status=Status.PENDING,
        gateway=routing.gateway_for(e164),
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
        segments=phone_segments(body, e164, locale),
        locale=locale,
    )
    db.session.add(delivery)
    wakeup.after_commit(db.session)
    return delivery


def scrub_private(now: datetime) -> int:
    """Blank the text and all but the last four digits of private messages that are over."""
    from sqlalchemy import func, update

    table = Delivery.__table__
    result = db.session.execute(
        update(table)
        .where(
            table.c.purpose.in_(PRIVATE_PURPOSES), table.c.status.in_(Status.FINAL), table.c.body.is_not(None)
        )
        .values(
            body=None, address=func.substr(table.c.address, func.length(table.c.address) - 3), updated_at=now
        )
    )
    db.session.commit()
    return rows_written(result)
