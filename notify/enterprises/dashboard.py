"""What the ecology bureau and the office watch during a response: per township, how many
enterprises were ordered to stop or limit production, were reached by SMS, opened their duty,
confirmed their measures in place, and which are overdue (000 §5.6: in place within 2 h of the
order); and the daily reduction expected of them and confirmed so far, per pollutant.

A revision's duties are its own plus those of earlier revisions of its warning that no later
duty replaced (superseded_at NULL): a step that leaves an enterprise's measure as it was need
not write it again, and the dashboard still shows that enterprise. One aggregate query per call
(GROUP BY township), so the page costs the same whatever the county's size; the console polls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from notify.enterprises.duties import PURPOSE as DUTY_PURPOSE
from notify.extensions import db
from notify.models import Delivery, Enterprise, EnterpriseDuty, Revision, Township
from notify.models.deliveries import Status
from notify.models.enterprises import POLLUTANTS

NOT_REACHED = (Status.UNDELIVERED, Status.FAILED, Status.DEAD, Status.EXPIRED)
COUNTS = (
    "enterprises",  # duties (or releases) in force with this revision
    "ordered",  # duties to stop or limit (see ordered())
    "exempt",
    "delivered",
    "not_reached",
    "in_flight",
    "received",
    "in_place",
    "late",  # in place, but after due_at
    "overdue",  # not in place and due_at has passed
    "awaiting",  # not in place, not yet due
)
POLLUTANT_LABELS = {
    "so2": "SO2",
    "nox": "NOx",
    "pm": _l("Particulate matter"),
    "vocs": "VOCs",
}
FILTERS = ("overdue", "awaiting", "in_place", "exempt", "not_reached")


def scope(revision: Revision) -> ColumnElement[bool]:
    """The duties in force with a revision: its own, and those of earlier revisions of its
    warning that no later duty replaced and that it did not write again."""
    own = aliased(EnterpriseDuty)
    earlier = select(Revision.id).where(
        Revision.warning_id == revision.warning_id, Revision.sequence < revision.sequence
    )
    rewritten = select(own.enterprise_id).where(own.revision_id == revision.id)
    return or_(
        EnterpriseDuty.revision_id == revision.id,
        and_(
            EnterpriseDuty.revision_id.in_(earlier),
            EnterpriseDuty.superseded_at.is_(None),
            EnterpriseDuty.enterprise_id.not_in(rewritten),
        ),
    )


def _sms_join() -> ColumnElement[bool]:
    return and_(
        Delivery.revision_id == EnterpriseDuty.revision_id,
        Delivery.purpose == DUTY_PURPOSE,
        Delivery.channel == "sms",
        Delivery.address == EnterpriseDuty.phone,
    )


def ordered() -> ColumnElement[bool]:
    """A duty to stop or limit production: not a release, not an exemption, and not the notice
    of an enterprise whose cell of the list holds no measure (nothing to confirm)."""
    return and_(
        EnterpriseDuty.kind == "duty",
        EnterpriseDuty.exempt.is_(False),
        EnterpriseDuty.requires_ack.is_(True),
    )


def in_place() -> ColumnElement[bool]:
    return and_(ordered(), EnterpriseDuty.in_place_at.is_not(None))


def late() -> ColumnElement[bool]:
    return and_(
        in_place(), EnterpriseDuty.due_at.is_not(None), EnterpriseDuty.in_place_at > EnterpriseDuty.due_at
    )


def open_duty() -> ColumnElement[bool]:
    """Ordered and not yet in place."""
    return and_(ordered(), EnterpriseDuty.in_place_at.is_(None))


def overdue(now: datetime) -> ColumnElement[bool]:
    # Due at 14:00 means in place by 14:00: overdue only once the instant has passed (as
    # notify.lifecycle.deadlines reads a deadline).
    return and_(open_duty(), EnterpriseDuty.due_at.is_not(None), EnterpriseDuty.due_at < now)


def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def tonnes(pollutant: str, condition: ColumnElement[bool]) -> ColumnElement[float]:
    """The sum of the duties' expected daily reduction of one pollutant where condition holds."""
    value = EnterpriseDuty.reduction[pollutant].as_float()
    return func.coalesce(func.sum(case((condition, value), else_=None)), 0.0)


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole > 0 else None


@dataclass
class Row:
    township_id: int | None
    name_zh: str
    name_en: str
    counts: dict[str, int] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)  # t/d per pollutant
    confirmed: dict[str, float] = field(default_factory=dict)

    def share(self, pollutant: str) -> float | None:
        """Confirmed as a percentage of expected; None where nothing was expected."""
        return percent(self.confirmed.get(pollutant, 0.0), self.expected.get(pollutant, 0.0))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "township_id": self.township_id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            **self.counts,
        }
        for p in POLLUTANTS:
            out[f"expected_{p}"] = round(self.expected.get(p, 0.0), 3)
            out[f"confirmed_{p}"] = round(self.confirmed.get(p, 0.0), 3)
            out[f"percent_{p}"] = self.share(p)
        return out


def _count_columns(now: datetime) -> list[ColumnElement[int]]:
    status = Delivery.status
    return [
        func.count(EnterpriseDuty.id),
        count(ordered()),
        count(and_(EnterpriseDuty.kind == "duty", EnterpriseDuty.exempt.is_(True))),
        count(status == Status.DELIVERED),
        count(status.in_(NOT_REACHED)),
        count(Delivery.id.is_(None) | status.not_in((Status.DELIVERED, *NOT_REACHED))),
        count(EnterpriseDuty.received_at.is_not(None)),
        count(in_place()),
        count(late()),
        count(overdue(now)),
        count(and_(open_duty(), or_(EnterpriseDuty.due_at.is_(None), EnterpriseDuty.due_at >= now))),
    ]


def by_township(revision: Revision, now: datetime, township_id: int | None = None) -> tuple[list[Row], Row]:
    """One row per township with duties in force, in the townships' order, and their total."""
    sums = [tonnes(p, ordered()) for p in POLLUTANTS] + [tonnes(p, in_place()) for p in POLLUTANTS]
    query = (
        select(Township.id, Township.name_zh, Township.name_en, *_count_columns(now), *sums)
        .select_from(EnterpriseDuty)
        .join(Township, Township.id == EnterpriseDuty.township_id)
        .outerjoin(Delivery, _sms_join())
        .where(scope(revision))
        .group_by(Township.id, Township.name_zh, Township.name_en, Township.code)
        .order_by(Township.code)
    )
    if township_id is not None:
        query = query.where(EnterpriseDuty.township_id == township_id)
    rows = []
    n, k = len(COUNTS), len(POLLUTANTS)
    for tid, zh, en, *values in db.session.execute(query):
        rows.append(
            Row(
                tid,
                zh,
                en,
                dict(zip(COUNTS, (int(v) for v in values[:n]), strict=True)),
                dict(zip(POLLUTANTS, (float(v) for v in values[n : n + k]), strict=True)),
                dict(zip(POLLUTANTS, (float(v) for v in values[n + k :]), strict=True)),
            )
        )
    return rows, total_of(rows)


def total_of(rows: list[Row]) -> Row:
    return Row(
        None,
        "合计",
        "Total",
        {c: sum(r.counts[c] for r in rows) for c in COUNTS},
        {p: sum(r.expected[p] for r in rows) for p in POLLUTANTS},
        {p: sum(r.confirmed[p] for r in rows) for p in POLLUTANTS},
    )


def duty_count(revision: Revision) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(EnterpriseDuty).where(scope(revision))) or 0
    )


def duties(
    revision: Revision, now: datetime, *, only: str | None = None, township_id: int | None = None
) -> list[dict[str, Any]]:
    """Each enterprise's line: who, where, whom to call, its SMS, its duty and how far it got;
    `only` one of FILTERS."""
    query = (
        select(
            EnterpriseDuty,
            Enterprise.name,
            Enterprise.credit_code,
            Enterprise.industry,
            Enterprise.subtype,
            Enterprise.env_officer,
            Enterprise.env_officer_phone,
            Township.name_zh,
            Township.name_en,
            Delivery.status,
            Delivery.error_code,
        )
        .join(Enterprise, Enterprise.id == EnterpriseDuty.enterprise_id)
        .join(Township, Township.id == EnterpriseDuty.township_id)
        .outerjoin(Delivery, _sms_join())
        .where(scope(revision))
        .order_by(
            Township.code,
            # NULLs last on both databases (SQLite puts them first): exemptions after the duties.
            EnterpriseDuty.due_at.is_(None),
            EnterpriseDuty.due_at,
            Enterprise.name,
            EnterpriseDuty.id,
        )
    )
    if only == "overdue":
        query = query.where(overdue(now))
    elif only == "awaiting":
        query = query.where(open_duty(), or_(EnterpriseDuty.due_at.is_(None), EnterpriseDuty.due_at >= now))
    elif only == "in_place":
        query = query.where(in_place())
    elif only == "exempt":
        query = query.where(EnterpriseDuty.exempt.is_(True))
    elif only == "not_reached":
        query = query.where(Delivery.status.in_(NOT_REACHED))
    if township_id is not None:
        query = query.where(EnterpriseDuty.township_id == township_id)
    out = []
    for (
        duty,
        name,
        code,
        industry,
        subtype,
        officer,
        officer_phone,
        t_zh,
        t_en,
        status,
        error,
    ) in db.session.execute(query):
        is_ordered = duty.kind == "duty" and not duty.exempt and duty.requires_ack
        is_open = is_ordered and duty.in_place_at is None
        out.append(
            {
                "duty_id": duty.id,
                "revision_id": duty.revision_id,
                "enterprise_id": duty.enterprise_id,
                "name": name,
                "credit_code": code,
                "industry": industry,
                "subtype": subtype,
                "grade": duty.grade,
                "kind": duty.kind,
                "exempt": duty.exempt,
                "text_zh": duty.text_zh,
                "township_id": duty.township_id,
                "township_zh": t_zh,
                "township_en": t_en,
                "contact": officer,
                # The number the duty went to; the registry's if the duty carries none.
                "phone": duty.phone or officer_phone,
                "sms_status": status or Status.PENDING,
                "error_code": error,
                "due_at": duty.due_at,
                "received_at": duty.received_at,
                "in_place_at": duty.in_place_at,
                "note": duty.in_place_note,
                "requires_ack": duty.requires_ack,
                "overdue": is_open and duty.due_at is not None and duty.due_at < now,
                "late": is_ordered
                and duty.in_place_at is not None
                and duty.due_at is not None
                and duty.in_place_at > duty.due_at,
                "reduction": {p: float((duty.reduction or {}).get(p) or 0.0) for p in POLLUTANTS},
            }
        )
    return out


def overdue_enterprises(
    revision: Revision, now: datetime, township_id: int | None = None
) -> list[dict[str, Any]]:
    """Whom to call: the enterprises past their deadline without measures in place, with the
    environmental officer's phone."""
    return duties(revision, now, only="overdue", township_id=township_id)


def reduction(revision: Revision) -> tuple[dict[str, float], dict[str, float]]:
    """The county's expected and confirmed daily reduction (t/d per pollutant) with a revision."""
    sums = [tonnes(p, ordered()) for p in POLLUTANTS] + [tonnes(p, in_place()) for p in POLLUTANTS]
    values = [float(v) for v in db.session.execute(select(*sums).where(scope(revision))).one()]
    k = len(POLLUTANTS)
    return dict(zip(POLLUTANTS, values[:k], strict=True)), dict(zip(POLLUTANTS, values[k:], strict=True))
