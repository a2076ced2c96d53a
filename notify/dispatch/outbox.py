"""The outbox: the deliveries a publication writes in its own transaction.

Only the responders' are written here (those who must act: staff-managed groups of at most
DISPATCH_INLINE_GROUP_LIMIT active recipients, robots, partner webhooks), so the publish
transaction stays small and they can be claimed the instant it commits. The large audience (open
groups, any larger group) becomes a dispatch plan that the executors expand after the commit in
chunks (notify.dispatch.plans); both write their rows with warning_rows() below.

Fan-out is one INSERT … SELECT over the recipients the revision's audience rules pick, so a
thousand recipients cost one statement, not a thousand ORM objects. Nothing here sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import Insert, Select, String, and_, case, cast, func, insert, literal, select, update

from notify import clock
from notify.audience import Split, per_address, recipients_reached, split_by_size
from notify.channels import phone, sms_segments
from notify.channels.phone import DOMESTIC_PREFIX
from notify.channels.sms_signature import Signatures
from notify.dispatch import priority, routing, wakeup
from notify.extensions import db
from notify.models import Delivery, PartnerWebhook, Recipient, Revision, Robot
from notify.models.deliveries import Priority, Status
from notify.row_counts import rows_written

# The columns of a warning's number rows, in the order WarningRows.source() selects them.
NUMBER_COLUMNS = (
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
    "priority",
    "created_at",
    "updated_at",
)


def write_responder_deliveries(revision: Revision, now: datetime) -> int:
    """One pending delivery per (address, channel) of the revision's responders, in the publish
    transaction, at responder priority. Returns how many were written."""
    urgency = priority.for_responders(revision)
    # The small groups by name, read off the group index: the large ones are never walked.
    reached = recipients_reached(revision, groups=audience_split(revision).small).where(
        Recipient.channel != routing.ROBOT_CHANNEL
    )
    source = warning_rows(revision, urgency).source(per_address(reached), now)
    written = rows_written(
        db.session.execute(counted(insert(Delivery.__table__).from_select(NUMBER_COLUMNS, source)))
    )
    written += _write_robots(revision, now, urgency)
    written += _write_partner_webhooks(revision, now, urgency)
    return written


def inline_group_limit() -> int:
    return int(current_app.config.get("DISPATCH_INLINE_GROUP_LIMIT", 2000))


def audience_split(revision: Revision) -> Split:
    """The revision's groups split by size, decided once per transaction: the responders'
    statement and the plan must split the audience alike even if a group's size moves between
    them (on PostgreSQL each statement sees the latest commits)."""
    key = ("notify.dispatch.audience_split", revision.id)
    transaction = db.session().get_transaction()
    cached = db.session.info.get(key)
    if cached is not None and cached[0] is transaction:
        return cached[1]
    split = split_by_size(revision, inline_group_limit())
    db.session.info[key] = (transaction, split)
    return split


def expiry(revision: Revision) -> datetime | None:
    """When the revision's messages stop being worth sending (a lifting never runs out)."""
    return None if revision.action == "lift" else revision.episode_end


@dataclass(frozen=True)
class WarningRows:
    """What every number delivery of a revision carries, read once: the source of an
    INSERT INTO deliveries (NUMBER_COLUMNS) … SELECT for any set of its addresses."""

    revision_id: int
    after_revision_id: int | None
    expires_at: datetime | None
    urgency: int
    # Parts per (locale, route): each route shows its own signature.
    segments: dict[tuple[str, str], int]

    def source(self, addresses: Select, now: datetime) -> Select:
        """One pending delivery per row of `addresses` (a per_address() select of non-robot
        recipients), routed by prefix, with the parts its text costs on that route."""
        table = Delivery.__table__
        ts = table.c.created_at.type
        sub = addresses.subquery()
        return select(
            literal(self.revision_id),
            literal(self.after_revision_id, table.c.after_revision_id.type),
            literal("warning"),
            sub.c.channel,
            sub.c.address,
            sub.c.recipient_id,
            sub.c.locale,
            literal(Status.PENDING),
            routing.gateway_sql(sub.c.address),
            literal(0),
            literal(now, ts),
            literal(self.expires_at, ts),
            _segments_case(sub.c.locale, sub.c.address, self.segments),
            literal(self.urgency, table.c.priority.type),
            literal(now, ts),
            literal(now, ts),
        )


def warning_rows(revision: Revision, urgency: int) -> WarningRows:
    texts = revision.frozen_content["texts"]["sms"]
    signatures = Signatures.from_config(current_app.config)
    return WarningRows(
        revision_id=revision.id,
        after_revision_id=revision.supersedes_id,
        expires_at=expiry(revision),
        urgency=urgency,
        segments={
            (loc, gateway): sms_segments.count(signatures.phone_text(text, gateway, loc)).segments
            for loc, text in texts.items()
            for gateway in routing.SMS_ROUTES
        },
    )


def _write_robots(revision: Revision, now: datetime, urgency: int) -> int:
    """Robots, routed to the gateway of their kind; a robot deactivated or removed in the console
    is not written (it would wait for ever). A statement of its own, so the robot join never
    touches the numbers' one."""
    table = Delivery.__table__
    ts = table.c.created_at.type
    robots = Robot.__table__
    sub = per_address(
        recipients_reached(revision).where(Recipient.channel == routing.ROBOT_CHANNEL)
    ).subquery()
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
        literal(expiry(revision), ts),
        literal(urgency, table.c.priority.type),
        literal(now, ts),
        literal(now, ts),
    ).join_from(
        sub,
        robots,
        and_(robots.c.active.is_(True), literal("robot:") + cast(robots.c.id, String) == sub.c.address),
    )
    columns = [c for c in NUMBER_COLUMNS if c != "segments"]
    return rows_written(db.session.execute(counted(insert(table).from_select(columns, source))))


def _write_partner_webhooks(revision: Revision, now: datetime, urgency: int) -> int:
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
        literal(expiry(revision), ts),
        literal(urgency, table.c.priority.type),
        literal(now, ts),
        literal(now, ts),
    ).where(hook.c.active.is_(True), hook.c.jurisdiction_id == revision.warning.jurisdiction_id)
    # A webhook is no recipient, and its document is no SMS: no recipient id, no segments.
    columns = [c for c in NUMBER_COLUMNS if c not in ("recipient_id", "segments")]
    return rows_written(db.session.execute(counted(insert(table).from_select(columns, source))))


def counted(statement: Insert) -> Insert:
    """An INSERT whose row count is kept: SQLAlchemy keeps it only for UPDATE and DELETE unless
    asked (psycopg would report -1)."""
    return statement.execution_options(preserve_rowcount=True)


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
        priority=Priority.ROUTINE,
    )
    db.session.add(delivery)
    wakeup.after_commit(db.session)
    return delivery


def scrub_private(now: datetime) -> int:
    """Blank the text and all but the last four digits of private messages that are over."""
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
