"""Who a revision reaches: the recipients its kind's and level's audience rules pick.

The approver confirms this number before approving; the outbox and the dispatch plan together
write exactly these rows (notify.dispatch.outbox for the responders in the publish transaction,
notify.dispatch.plans for the large groups after it). What they cost in SMS parts is
notify.dispatch.costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select

from notify.extensions import db
from notify.models import AudienceGroup, AudienceRule, Recipient, Revision


def recipients_reached(
    revision: Revision,
    *,
    groups: Sequence[int] | None = None,
    ids: tuple[int | ColumnElement[int], int | ColumnElement[int]] | None = None,
) -> Select:
    """Every recipient row the revision's rules pick, before the de-duplication by address:
    recipient_id, group_id, channel, address, locale.

    The one statement of who is reached; callers narrow it to some `groups` and to the key range
    `ids` = (after, up_to] of recipient ids (a dispatch plan's chunk; values or bound parameters),
    add terms on Recipient's columns, and fold it with per_address(). An exercise (演练) reaches
    the test groups only, whatever the rules say; a real warning never reaches them.
    """
    columns = (
        Recipient.id.label("recipient_id"),
        Recipient.group_id.label("group_id"),
        Recipient.channel.label("channel"),
        Recipient.address.label("address"),
        Recipient.locale.label("locale"),
    )
    # A key range is read off the table: compared as an expression, the group cannot lead the
    # database (SQLite has no statistics) to walk a million-row group on its index for 20,000 ids.
    group = Recipient.group_id + literal_column("0") if ids is not None else Recipient.group_id
    # getattr: the SMS preview passes a stand-in warning that has never been saved.
    if getattr(revision.warning, "is_exercise", False):
        query = (
            select(*columns)
            .join(AudienceGroup, AudienceGroup.id == group)
            .where(
                Recipient.active.is_(True),
                AudienceGroup.is_test.is_(True),
                AudienceGroup.jurisdiction_id == revision.warning.jurisdiction_id,
            )
        )
    else:
        rules = _rules(revision).subquery()
        query = (
            select(*columns)
            .join(rules, (rules.c.group_id == group) & (rules.c.channel == Recipient.channel))
            .join(AudienceGroup, AudienceGroup.id == group)
            .where(
                Recipient.active.is_(True),
                AudienceGroup.is_test.is_(False),
                AudienceGroup.jurisdiction_id == revision.warning.jurisdiction_id,
            )
        )
        if revision.area_scope == "townships":
            query = query.where(_in_area(revision))
    if groups is not None:
        query = query.where(group.in_(groups))
    if ids is not None:
        query = query.where(Recipient.id > ids[0], Recipient.id <= ids[1])
    return query


def count_reached(revision: Revision, group: AudienceGroup) -> int:
    """How many rows recipients_reached(revision, groups=[group.id]) holds, as one filtered
    count with the rules' channels read first and given as constants. Counted through the join
    to the rules, PostgreSQL hash-joins every row of a million-subscriber group: 115 against
    ~50 ms at 1,000,000, the largest item of the publish transaction (the audience check)."""
    if group.jurisdiction_id != revision.warning.jurisdiction_id:
        return 0
    if getattr(revision.warning, "is_exercise", False):
        if not group.is_test:
            return 0
        channels = None  # an exercise reaches its test groups on every channel
    else:
        if group.is_test:
            return 0
        channels = sorted(
            set(
                db.session.scalars(
                    _rules(revision)
                    .with_only_columns(AudienceRule.channel)
                    .where(AudienceRule.group_id == group.id)
                )
            )
        )
        if not channels:
            return 0
    query = (
        select(func.count())
        .select_from(Recipient)
        .where(Recipient.group_id == group.id, Recipient.active.is_(True))
    )
    if channels is not None:
        query = query.where(Recipient.channel.in_(channels))
        if revision.area_scope == "townships":
            query = query.where(_in_area(revision))
    return int(db.session.scalar(query) or 0)


def _in_area(revision: Revision) -> ColumnElement[bool]:
    """A recipient of a township-scoped revision: one of its townships', or the county's."""
    township_ids = [t.id for t in revision.townships]
    return or_(Recipient.township_id.is_(None), Recipient.township_id.in_(township_ids))


def per_address(reached: Select) -> Select:
    """recipients_reached() folded to one row per (channel, address): address, channel, the
    lowest recipient id and locale. An address in two groups (a township head who is also a
    unit's duty officer) is warned once."""
    return reached.with_only_columns(
        Recipient.channel.label("channel"),
        Recipient.address.label("address"),
        func.min(Recipient.id).label("recipient_id"),
        func.min(Recipient.locale).label("locale"),
        maintain_column_froms=False,
    ).group_by(Recipient.channel, Recipient.address)


def audience_select(revision: Revision) -> Select:
    """One row per (channel, address) the revision reaches: address, channel, recipient, locale."""
    return per_address(recipients_reached(revision))


def _rules(revision: Revision) -> Select:
    return select(AudienceRule.group_id, AudienceRule.channel).where(
        AudienceRule.kind_id == revision.warning.kind_id,
        or_(AudienceRule.level_id.is_(None), AudienceRule.level_id == revision.level_id),
    )


@dataclass(frozen=True)
class Split:
    """The groups of a revision's audience by size: `small` written in the publish transaction
    (responders), `large` left to a dispatch plan."""

    small: list[int]
    large: list[int]


def split_by_size(revision: Revision, inline_limit: int) -> Split:
    """Large: every open group (public subscribers) and any staff-managed group with more than
    `inline_limit` active recipients; the rest small. Counting stops at inline_limit + 1, so a
    million subscribers cost nothing."""
    if getattr(revision.warning, "is_exercise", False):
        candidates = select(AudienceGroup.id, AudienceGroup.is_open).where(AudienceGroup.is_test.is_(True))
    else:
        rules = _rules(revision).subquery()
        candidates = select(AudienceGroup.id, AudienceGroup.is_open).where(
            AudienceGroup.id.in_(select(rules.c.group_id)), AudienceGroup.is_test.is_(False)
        )
    groups = db.session.execute(
        candidates.where(AudienceGroup.jurisdiction_id == revision.warning.jurisdiction_id).order_by(
            AudienceGroup.id
        )
    ).all()
    large = [group_id for group_id, is_open in groups if is_open or _more_than(group_id, inline_limit)]
    return Split(small=[group_id for group_id, _ in groups if group_id not in large], large=large)


def _more_than(group_id: int, limit: int) -> bool:
    first = (
        select(Recipient.id)
        .where(Recipient.group_id == group_id, Recipient.active.is_(True))
        .limit(limit + 1)
        .subquery()
    )
    return int(db.session.scalar(select(func.count()).select_from(first)) or 0) > limit


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
