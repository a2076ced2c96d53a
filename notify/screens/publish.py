"""A publication reaching the screens: set-based, in the publishing transaction.

Three statements whatever the number of screens: raise the feed version of every screen whose
feed the revision changes, log which revision each new version carries, and write one "led"
delivery per screen. The screens concerned are those of the revision's area and of the area of
the revision it supersedes (an upgrade to fewer townships takes the warning off the others, a
lifting is shown wherever the warning was).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, insert, literal, select, update

from notify.extensions import db
from notify.models import Delivery, Revision
from notify.models.deliveries import Status
from notify.models.screens import LED_CHANNEL, LED_GATEWAY, Screen, ScreenFeedVersion
from notify.row_counts import rows_written


def affected(revision: Revision):
    """A WHERE clause for the screens whose feed this revision changes."""
    warning = revision.warning
    involved = [r for r in (revision, revision.supersedes) if r is not None]
    clause = [
        Screen.jurisdiction_id == warning.jurisdiction_id,
        Screen.active.is_(True),
        Screen.is_test.is_(bool(warning.is_exercise)),
    ]
    if any(r.area_scope == "county" for r in involved):
        return clause
    township_ids = sorted({t.id for r in involved for t in r.townships})
    return [*clause, Screen.township_id.in_(township_ids)]


def on_publish(revision: Revision, now: datetime) -> int:
    """Bump the feeds, log the versions, write the deliveries; returns the number of screens."""
    where = affected(revision)
    screens = Screen.__table__
    db.session.execute(
        update(screens)
        .where(*where)
        .values(feed_version=screens.c.feed_version + 1, feed_digest=None, feed_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    ts = ScreenFeedVersion.__table__.c.created_at.type
    db.session.execute(
        insert(ScreenFeedVersion.__table__).from_select(
            ["screen_id", "version", "revision_id", "reason", "created_at"],
            select(
                Screen.id,
                Screen.feed_version,
                literal(revision.id),
                literal(revision.action),
                literal(now, ts),
            ).where(*where),
        )
    )
    table = Delivery.__table__
    dts = table.c.created_at.type
    expires = None if revision.action == "lift" else revision.episode_end
    source = select(
        literal(revision.id),
        literal(revision.supersedes_id, table.c.after_revision_id.type),
        literal("warning"),
        literal(LED_CHANNEL),
        literal("screen:") + cast(Screen.id, String),
        literal("zh"),
        literal(Status.PENDING),
        literal(LED_GATEWAY),
        literal(0),
        literal(now, dts),
        literal(expires, dts),
        literal(now, dts),
        literal(now, dts),
    ).where(*where)
    result = db.session.execute(
        insert(table).from_select(
            [
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
            ],
            source,
        )
    )
    # The ORM copies of screens in this session no longer hold their versions.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Screen):
            db.session.expire(obj)
    return rows_written(result)
