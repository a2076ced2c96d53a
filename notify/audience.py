"""Who a revision reaches: the recipients its kind's and level's audience rules pick.

The approver confirms this number before approving; the outbox writes exactly these rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Select, func, or_, select

from notify.channels import sms_segments
from notify.channels.sms_signature import Signatures
from notify.dispatch import routing
from notify.extensions import db
from notify.models import AudienceGroup, AudienceRule, Recipient, Revision


def audience_select(revision: Revision) -> Select:
    """One row per (channel, address) the revision reaches: address, channel, recipient, locale.

    An address in two groups (a township head who is also a unit's duty officer) is warned once.
    An exercise (演练) reaches the test groups only, whatever the rules say; a real warning never
    reaches them.
    """
    # getattr: the SMS preview passes a stand-in warning that has never been saved.
    if getattr(revision.warning, "is_exercise", False):
        return _test_audience(revision)
    level_id = revision.level_id
    rules = (
        select(AudienceRule.group_id, AudienceRule.channel)
        .where(
            AudienceRule.kind_id == revision.warning.kind_id,
            or_(AudienceRule.level_id.is_(None), AudienceRule.level_id == level_id),
        )
        .subquery()
    )
    query = (
        select(
            Recipient.channel.label("channel"),
            Recipient.address.label("address"),
            func.min(Recipient.id).label("recipient_id"),
            func.min(Recipient.locale).label("locale"),
        )
        .join(rules, (rules.c.group_id == Recipient.group_id) & (rules.c.channel == Recipient.channel))
        .join(AudienceGroup, AudienceGroup.id == Recipient.group_id)
        .where(
            Recipient.active.is_(True),
            AudienceGroup.is_test.is_(False),
            AudienceGroup.jurisdiction_id == revision.warning.jurisdiction_id,
        )
        .group_by(Recipient.channel, Recipient.address)
    )
    if revision.area_scope == "townships":
        township_ids = [t.id for t in revision.townships]
        query = query.where(or_(Recipient.township_id.is_(None), Recipient.township_id.in_(township_ids)))
    return query


def _test_audience(revision: Revision) -> Select:
    return (
        select(
            Recipient.channel.label("channel"),
            Recipient.address.label("address"),
            func.min(Recipient.id).label("recipient_id"),
            func.min(Recipient.locale).label("locale"),
        )
        .join(AudienceGroup, AudienceGroup.id == Recipient.group_id)
        .where(
            Recipient.active.is_(True),
            AudienceGroup.is_test.is_(True),
            AudienceGroup.jurisdiction_id == revision.warning.jurisdiction_id,
        )
        .group_by(Recipient.channel, Recipient.address)
    )


def audience_size(revision: Revision) -> int:
    return int(db.session.scalar(select(func.count()).select_from(audience_select(revision).subquery())) or 0)


@dataclass(frozen=True)
class GroupShare:
    name_zh: str
    name_en: str
    recipients: int


def audience_by_group(revision: Revision) -> list[GroupShare]:
    """The audience size split by group, for the office to read before publishing.

    An address in two groups is counted once, in the group of its first recipient, so the
    shares add up to audience_size().
    """
    sub = audience_select(revision).subquery()
    rows = db.session.execute(
        select(AudienceGroup.name_zh, AudienceGroup.name_en, func.count())
        .select_from(sub)
        .join(Recipient, Recipient.id == sub.c.recipient_id)
        .join(AudienceGroup, AudienceGroup.id == Recipient.group_id)
        .group_by(AudienceGroup.id, AudienceGroup.name_zh, AudienceGroup.name_en)
        .order_by(AudienceGroup.id)
    ).all()
    return [GroupShare(zh, en, int(n)) for zh, en, n in rows]


def audience_segments(revision: Revision, texts: dict[str, str]) -> int:
    """Total SMS parts the audience will cost: per language's text as the phones show it, with
    the signature of the route each number takes."""
    sub = audience_select(revision).subquery()
    gateway = routing.gateway_sql(sub.c.address).label("gateway")
    rows = db.session.execute(
        select(sub.c.locale, gateway, func.count())
        .where(sub.c.channel == "sms")
        .group_by(sub.c.locale, gateway)
    ).all()
    signatures = Signatures.from_config(current_app.config)
    return sum(
        n
        * sms_segments.count(
            signatures.phone_text(texts.get(locale) or texts.get("zh", ""), route, locale)
        ).segments
        for locale, route, n in rows
    )
