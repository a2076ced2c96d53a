"""Who a revision reaches: the recipients its kind's and level's audience rules pick.

The approver confirms this number before approving; the outbox writes exactly these rows.
"""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from notify.channels import sms_segments
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


def audience_segments(revision: Revision, texts: dict[str, str]) -> int:
    """Total SMS parts the audience will cost, per locale's text."""
    sub = audience_select(revision).subquery()
    rows = db.session.execute(
        select(sub.c.locale, func.count()).where(sub.c.channel == "sms").group_by(sub.c.locale)
    ).all()
    return sum(
        n * sms_segments.count(texts.get(locale) or texts.get("zh", "")).segments for locale, n in rows
    )
