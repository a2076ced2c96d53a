"""The audience as the approver confirmed it, and whether it still holds when publishing.

What the approver confirmed is what is sent. At approval the snapshot keeps a fingerprint of
the audience: the audience rules in force, and per group the recipients the revision reaches
(every row the group's rules reach, so an address in two groups is in both). A staff-managed
group (member units, townships, schools, enterprises, imported lists) is frozen: its count and a
SHA-256 over its rows (recipient, channel, address, language), streamed in order. An open group,
which citizens join and leave themselves (public subscribers), is approved as a rule with its
count and may drift by AUDIENCE_OPEN_GROUP_TOLERANCE_PERCENT. Before publishing, verify_unchanged() takes the
fingerprint again and refuses with what changed; the office then withdraws the revision for a
new approval.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from notify.audience import audience_select, count_reached, recipients_reached
from notify.enterprises.duties import enterprises_reached, response_of
from notify.extensions import db
from notify.i18n import is_zh
from notify.lifecycle.errors import AudienceChanged
from notify.models import AudienceGroup, AudienceRule, Enterprise, Recipient, Revision
from notify.schools.notices import schools_reached

# 3: with the enterprise registry; 2: per group before the de-duplication by address (1,
# unnumbered: after it).
FINGERPRINT_VERSION = 3
# Rows fetched per round trip while hashing a staff-managed group.
STREAM_CHUNK = 2000
DEFAULT_TOLERANCE_PERCENT = 10.0
# The schools and the enterprises of the registries, fingerprinted beside the audience groups
# under these names.
SCHOOL_REGISTRY = "school_registry"
ENTERPRISE_REGISTRY = "enterprise_registry"


def _groups(revision: Revision) -> dict[int, AudienceGroup]:
    return {
        g.id: g
        for g in db.session.scalars(
            select(AudienceGroup).where(AudienceGroup.jurisdiction_id == revision.warning.jurisdiction_id)
        )
    }


def _rules(revision: Revision, groups: dict[int, AudienceGroup]) -> list[list[str]]:
    """The (group, channel) pairs the revision's kind and level reach, as audience_select reads them."""
    if revision.warning.is_exercise:
        return sorted([g.code, "*"] for g in groups.values() if g.is_test)
    pairs = db.session.execute(
        select(AudienceRule.group_id, AudienceRule.channel)
        .where(
            AudienceRule.kind_id == revision.warning.kind_id,
            or_(AudienceRule.level_id.is_(None), AudienceRule.level_id == revision.level_id),
        )
        .distinct()
    ).all()
    return sorted([groups[gid].code, channel] for gid, channel in pairs if gid in groups)


def fingerprint(revision: Revision, version: int = FINGERPRINT_VERSION) -> dict[str, Any]:
    """The audience the revision reaches now, per group, in a form the snapshot can keep.

    Per group, every recipient row its rules reach (an address in two groups is in both): the
    count, and for a staff-managed group a digest of its rows. Counting per group needs no
    de-duplication of the whole audience, so publishing to a million subscribers checks them with
    an indexed count (40 ms on SQLite) instead of sorting a million addresses."""
    groups = _groups(revision)
    rules = _rules(revision, groups)
    # One count per group: each reads its group's stretch of the recipients index, where one
    # GROUP BY over the whole audience would sort a million rows (5× slower on SQLite).
    counts: dict[int, int] = {}
    for gid, group in groups.items():
        n = count_reached(revision, group)
        if n:
            counts[gid] = int(n)
    involved = {gid for gid, g in groups.items() if any(g.code == code for code, _channel in rules)}
    involved |= set(counts)
    staff = sorted(gid for gid in involved if not groups[gid].is_open)
    digests = {gid: hashlib.sha256() for gid in staff}
    if staff:
        rows = recipients_reached(revision, groups=staff).subquery()
        for group_id, recipient_id, channel, address, locale in db.session.execute(
            select(rows.c.group_id, rows.c.recipient_id, rows.c.channel, rows.c.address, rows.c.locale)
            .order_by(rows.c.group_id, rows.c.recipient_id)
            .execution_options(yield_per=STREAM_CHUNK)
        ):
            digests[group_id].update(f"{recipient_id}\t{channel}\t{address}\t{locale}\n".encode())
    described = _with_schools(revision, _described(groups, involved, counts, digests, rules, version))
    return _with_enterprises(revision, described) if version >= 3 else described


def _described(groups, involved, counts, digests, rules, version: int | None) -> dict[str, Any]:
    described: dict[str, Any] = {
        "rules": rules,
        "groups": {
            groups[gid].code: {
                "name_zh": groups[gid].name_zh,
                "name_en": groups[gid].name_en,
                "open": groups[gid].is_open,
                "count": int(counts.get(gid, 0)),
                "digest": digests[gid].hexdigest() if gid in digests else None,
            }
            for gid in sorted(involved, key=lambda gid: groups[gid].code)
        },
    }
    if version is not None:
        described["version"] = version
    return described


def _with_schools(revision: Revision, described: dict[str, Any]) -> dict[str, Any]:
    if not revision.warning.is_exercise:
        described["groups"][SCHOOL_REGISTRY] = _school_registry(revision)
    return described


def _with_enterprises(revision: Revision, described: dict[str, Any]) -> dict[str, Any]:
    if not revision.warning.is_exercise and response_of(revision) is not None:
        described["groups"][ENTERPRISE_REGISTRY] = _enterprise_registry(revision)
    return described


def _fingerprint_v1(revision: Revision) -> dict[str, Any]:
    """The fingerprint of snapshots approved before FINGERPRINT_VERSION 2: per group after the
    de-duplication of the whole audience by address (an address counted in the group of its
    lowest recipient id). Kept so that a revision approved before the upgrade is checked against
    what its approver saw, not refused for a change of method."""
    groups = _groups(revision)
    rules = _rules(revision, groups)
    sub = audience_select(revision).subquery()
    counts = dict(
        db.session.execute(
            select(Recipient.group_id, func.count())
            .select_from(sub)
            .join(Recipient, Recipient.id == sub.c.recipient_id)
            .group_by(Recipient.group_id)
        ).all()
    )
    involved = {gid for gid, g in groups.items() if any(g.code == code for code, _channel in rules)}
    involved |= set(counts)
    staff = sorted(gid for gid in involved if not groups[gid].is_open)
    digests = {gid: hashlib.sha256() for gid in staff}
    if staff:
        rows = db.session.execute(
            select(Recipient.group_id, sub.c.recipient_id, sub.c.channel, sub.c.address, sub.c.locale)
            .select_from(sub)
            .join(Recipient, Recipient.id == sub.c.recipient_id)
            .where(Recipient.group_id.in_(staff))
            .order_by(Recipient.group_id, sub.c.recipient_id)
            .execution_options(yield_per=STREAM_CHUNK)
        )
        for group_id, recipient_id, channel, address, locale in rows:
            digests[group_id].update(f"{recipient_id}\t{channel}\t{address}\t{locale}\n".encode())
    return _with_schools(revision, _described(groups, involved, counts, digests, rules, None))


def _school_registry(revision: Revision) -> dict[str, Any]:
    """The schools that get the revision's notices: staff-managed like a group (the office imports
    the registry), so frozen the same way."""
    digest, count = hashlib.sha256(), 0
    rows = db.session.execute(schools_reached(revision).execution_options(yield_per=STREAM_CHUNK))
    for school_id, _name, kind, township_id, phone, robot_id in rows:
        digest.update(f"{school_id}\t{kind}\t{township_id}\t{phone}\t{robot_id}\n".encode())
        count += 1
    return {
        "name_zh": "学校名录（学校通知）",
        "name_en": "School registry (school notices)",
        "open": False,
        "count": count,
        "digest": digest.hexdigest(),
    }


def _enterprise_registry(revision: Revision) -> dict[str, Any]:
    """The enterprises that get the revision's duties. Their grade and industry decide the duty,
    so a regrading after approval is a change the approver did not see.

    Taken from an aggregate, not row by row: the set (count, sum of ids) and the latest change
    (every write to an enterprise moves its updated_at), 8 ms for 10,000 enterprises on SQLite
    where hashing the rows took 45 ms of the publish budget. A re-import that changed nothing
    also counts as a change: the approver confirms again, which errs on the safe side."""
    reached = enterprises_reached(revision).order_by(None).subquery()
    count, id_sum, last_change = db.session.execute(
        select(func.count(), func.coalesce(func.sum(reached.c.id), 0), func.max(Enterprise.updated_at))
        .select_from(reached)
        .join(Enterprise, Enterprise.id == reached.c.id)
    ).one()
    digest = hashlib.sha256(f"{count}|{id_sum}|{last_change}".encode())
    return {
        "name_zh": "企业名录（应急减排任务）",
        "name_en": "Enterprise registry (reduction duties)",
        "open": False,
        "count": count,
        "digest": digest.hexdigest(),
    }


@dataclass(frozen=True)
class AudienceChange:
    """One way the audience differs from what was approved."""

    what: str  # "rules" | "count" | "members" | "open_drift"
    group: str = ""
    name_zh: str = ""
    name_en: str = ""
    before: int = 0
    after: int = 0
    rules_added: list[list[str]] = field(default_factory=list)
    rules_removed: list[list[str]] = field(default_factory=list)

    @property
    def delta(self) -> int:
        return self.after - self.before

    def describe(self, tolerance: float = DEFAULT_TOLERANCE_PERCENT) -> str:
        name = (self.name_zh if is_zh() else self.name_en) or self.name_zh or self.group
        if self.what == "rules":
            return _(
                "the audience rules changed (added: %(added)s; removed: %(removed)s)",
                added=", ".join("/".join(r) for r in self.rules_added) or "—",
                removed=", ".join("/".join(r) for r in self.rules_removed) or "—",
            )
        if self.what == "members":
            return _(
                "%(group)s: recipients or their addresses changed (still %(count)d)",
                group=name,
                count=self.after,
            )
        if self.what == "open_drift":
            return _(
                "%(group)s: %(before)d → %(after)d subscribers (%(delta)+d, more than the "
                "%(tolerance)g%% tolerance)",
                group=name,
                before=self.before,
                after=self.after,
                delta=self.delta,
                tolerance=tolerance,
            )
        return _(
            "%(group)s: %(before)d → %(after)d recipients (%(delta)+d)",
            group=name,
            before=self.before,
            after=self.after,
            delta=self.delta,
        )


def compare(approved: dict[str, Any], now: dict[str, Any], tolerance_percent: float) -> list[AudienceChange]:
    """How `now` differs from `approved`; an empty list when it is what the approver confirmed."""
    changes: list[AudienceChange] = []
    before_rules = {tuple(r) for r in approved.get("rules", [])}
    now_rules = {tuple(r) for r in now.get("rules", [])}
    if before_rules != now_rules:
        changes.append(
            AudienceChange(
                "rules",
                rules_added=[list(r) for r in sorted(now_rules - before_rules)],
                rules_removed=[list(r) for r in sorted(before_rules - now_rules)],
            )
        )
    before_groups, now_groups = approved.get("groups", {}), now.get("groups", {})
    for code in sorted(set(before_groups) | set(now_groups)):
        old = before_groups.get(code) or {"count": 0, "digest": None, "open": False}
        new = now_groups.get(code) or {"count": 0, "digest": None, "open": old.get("open", False)}
        before, after = int(old.get("count", 0)), int(new.get("count", 0))
        if old.get("open") and new.get("open"):
            what = "open_drift" if abs(after - before) > before * tolerance_percent / 100 else ""
        elif before != after:
            what = "count"
        else:
            what = "members" if old.get("digest") != new.get("digest") else ""
        if what:
            changes.append(
                AudienceChange(
                    what,
                    code,
                    name_zh=new.get("name_zh") or old.get("name_zh", ""),
                    name_en=new.get("name_en") or old.get("name_en", ""),
                    before=before,
                    after=after,
                )
            )
    return changes


def tolerance() -> float:
    return float(current_app.config.get("AUDIENCE_OPEN_GROUP_TOLERANCE_PERCENT", DEFAULT_TOLERANCE_PERCENT))


def drift(revision: Revision) -> list[AudienceChange]:
    """What changed in the revision's audience since its approval (nothing for snapshots that
    predate the fingerprint)."""
    approved = revision.snapshot.content.get("audience") if revision.snapshot is not None else None
    if approved is None:
        return []
    version = approved.get("version")
    # Checked the way it was taken: a revision approved before an upgrade of the method is not
    # refused for the change of method.
    now = fingerprint(revision, version) if version in (2, FINGERPRINT_VERSION) else _fingerprint_v1(revision)
    return compare(approved, now, tolerance())


def describe_drift(revision: Revision) -> list[str]:
    limit = tolerance()
    return [c.describe(limit) for c in drift(revision)]


def verify_unchanged(revision: Revision) -> None:
    """Refuse to send anything but the audience the approver confirmed."""
    changes = drift(revision)
    if changes:
        limit = tolerance()
        raise AudienceChanged(
            _l(
                "The audience changed since it was approved: %(changes)s. It is not published: "
                "send it back for a new approval (“Withdraw for a new approval”), and the approver "
                "confirms the audience again.",
                changes="; ".join(c.describe(limit) for c in changes),
            ),
            changes,
        )
