"""What the education bureau watches: per township, how many schools got the notice, were
reached, confirmed (and how many only after the reminder), and who is still silent.

One aggregate query over the notices joined to their SMS delivery, so the page costs the same
whatever the county's size; the console polls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, select

from notify.extensions import db
from notify.models import Delivery, School, SchoolNotice, Township
from notify.models.deliveries import Status
from notify.schools.notices import PURPOSE

NOT_REACHED = (Status.UNDELIVERED, Status.FAILED, Status.DEAD, Status.EXPIRED)
COUNTS = (
    "schools",
    "acknowledged",
    "after_reminder",
    "delivered",
    "not_reached",
    "in_flight",
    "silent",
    "reminded",
    "reported",
)


def _sms_join():
    return and_(
        Delivery.revision_id == SchoolNotice.revision_id,
        Delivery.purpose == PURPOSE,
        Delivery.channel == "sms",
        Delivery.address == SchoolNotice.phone,
    )


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass
class Row:
    township_id: int | None
    name_zh: str
    name_en: str
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "township_id": self.township_id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            **self.counts,
        }


def by_township(revision_id: int) -> tuple[list[Row], Row]:
    acked = SchoolNotice.acknowledged_at.is_not(None)
    query = (
        select(
            Township.id,
            Township.name_zh,
            Township.name_en,
            func.count(SchoolNotice.id),
            _count(acked),
            _count(
                and_(
                    acked,
                    SchoolNotice.reminded_at.is_not(None),
                    SchoolNotice.acknowledged_at >= SchoolNotice.reminded_at,
                )
            ),
            _count(Delivery.status == Status.DELIVERED),
            _count(Delivery.status.in_(NOT_REACHED)),
            _count(Delivery.id.is_(None) | Delivery.status.not_in((Status.DELIVERED, *NOT_REACHED))),
            _count(SchoolNotice.acknowledged_at.is_(None)),
            _count(SchoolNotice.reminded_at.is_not(None)),
            _count(SchoolNotice.reported_at.is_not(None)),
        )
        .select_from(SchoolNotice)
        .join(Township, Township.id == SchoolNotice.township_id)
        .outerjoin(Delivery, _sms_join())
        .where(SchoolNotice.revision_id == revision_id, SchoolNotice.requires_ack.is_(True))
        .group_by(Township.id, Township.name_zh, Township.name_en, Township.code)
        .order_by(Township.code)
    )
    rows = []
    for tid, zh, en, *values in db.session.execute(query):
        rows.append(Row(tid, zh, en, dict(zip(COUNTS, (int(v) for v in values), strict=True))))
    total = Row(None, "合计", "Total", {k: sum(r.counts[k] for r in rows) for k in COUNTS})
    return rows, total


def notice_count(revision_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(SchoolNotice).where(SchoolNotice.revision_id == revision_id)
        )
        or 0
    )


def schools(
    revision_id: int, *, only: str | None = None, township_id: int | None = None
) -> list[dict[str, Any]]:
    """Each school's line: who, where, its SMS status and its confirmation."""
    query = (
        select(
            SchoolNotice,
            School.code,
            School.name,
            School.type,
            School.head_name,
            School.duty_name,
            School.duty_phone,
            Township.name_zh,
            Township.name_en,
            Delivery.status,
            Delivery.error_code,
        )
        .join(School, School.id == SchoolNotice.school_id)
        .join(Township, Township.id == SchoolNotice.township_id)
        .outerjoin(Delivery, _sms_join())
        .where(SchoolNotice.revision_id == revision_id)
        .order_by(Township.code, School.name)
    )
    if only == "silent":
        query = query.where(SchoolNotice.acknowledged_at.is_(None), SchoolNotice.requires_ack.is_(True))
    elif only == "not_reached":
        query = query.where(Delivery.status.in_(NOT_REACHED))
    if township_id:
        query = query.where(SchoolNotice.township_id == township_id)
    out = []
    for notice, code, name, kind, head, duty, duty_phone, t_zh, t_en, status, error in db.session.execute(
        query
    ):
        out.append(
            {
                "notice_id": notice.id,
                "school_id": notice.school_id,
                "code": code,
                "name": name,
                "type": kind,
                "township_zh": t_zh,
                "township_en": t_en,
                "head_name": head,
                "phone": notice.phone,
                "duty_name": duty,
                "duty_phone": duty_phone,
                "sms_status": status or Status.PENDING,
                "error_code": error,
                "acknowledged_at": notice.acknowledged_at,
                "acknowledged_by": notice.acknowledged_by,
                "acknowledged_via": notice.acknowledged_via,
                "reminded_at": notice.reminded_at,
                "reported_at": notice.reported_at,
                "requires_ack": notice.requires_ack,
            }
        )
    return out
