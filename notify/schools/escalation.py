"""Escalating silent schools: two scheduled jobs per revision, kept in the job store so that they
survive a restart (notify.scheduling).

Stage 1 (SCHOOL_ACK_ESCALATE_MINUTES after publication): every school that has not confirmed
gets a reminder on its duty contact's phone (its head's, if it has no duty contact), with its
link again. Stage 2 (SCHOOL_ACK_REPORT_MINUTES later): the education bureau's contacts get the
list of schools still silent, and each township's contacts the list of its own.

Who is silent is decided by one UPDATE that stamps the notices it picks (reminded_at,
reported_at), so the messages sent and the notices stamped are the same set, and a job that runs
again (after a crash, or late) finds nothing left to do.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import insert, select, update

from notify import audit, clock, scheduling
from notify.dispatch import routing, wakeup
from notify.extensions import db
from notify.models import Delivery, Revision, School, SchoolContact, SchoolNotice, Township
from notify.models.deliveries import Status
from notify.schools import acknowledge, texts, tokens
from notify.schools import notices as school_notices


@scheduling.task
def escalate_schools(revision_id: int, stage: int) -> None:
    revision = db.session.get(Revision, revision_id)
    if revision is None:
        return
    now = clock.now()
    if acknowledge.revision_state(revision, now) != acknowledge.OPEN:
        return  # superseded, lifted or over: its notices are closed
    if stage == 1:
        remind(revision, now)
    else:
        report(revision, now)


def _stamp(revision: Revision, column, now: datetime) -> list[int]:
    """Stamp the revision's silent notices not yet stamped in `column`; their ids."""
    table = SchoolNotice.__table__
    rows = (
        db.session.execute(
            update(table)
            .where(
                table.c.revision_id == revision.id,
                table.c.requires_ack.is_(True),
                table.c.acknowledged_at.is_(None),
                table.c[column].is_(None),
            )
            .values({column: now})
            .returning(table.c.id)
        )
        .scalars()
        .all()
    )
    return sorted(rows)


def remind(revision: Revision, now: datetime) -> int:
    ids = _stamp(revision, "reminded_at", now)
    if not ids:
        return 0
    content = revision.frozen_content
    tz = school_notices.zone(revision)
    rows = db.session.execute(
        select(SchoolNotice.school_id, SchoolNotice.items, School.name, School.head_phone, School.duty_phone)
        .join(School, School.id == SchoolNotice.school_id)
        .where(SchoolNotice.id.in_(ids))
        .order_by(SchoolNotice.id)
    ).all()
    deliveries = []
    for school_id, items, name, head_phone, duty_phone in rows:
        address = duty_phone or head_phone
        body = texts.reminder(
            content,
            school=name,
            items=items,
            sent=revision.publication_time,
            link=tokens.link(revision.id, school_id),
            tz=tz,
        )
        deliveries.append(_sms(revision, address, body, now, school_notices.REMINDER))
    db.session.execute(insert(Delivery), deliveries)
    wakeup.after_commit(db.session)
    audit.record(
        "school.reminded",
        actor_name="scheduler",
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence}: {len(ids)} silent schools reminded",
        detail={"school_ids": [r.school_id for r in rows]},
        at=now,
    )
    return len(ids)


def report(revision: Revision, now: datetime) -> int:
    ids = _stamp(revision, "reported_at", now)
    if not ids:
        return 0
    content = revision.frozen_content
    tz = school_notices.zone(revision)
    rows = db.session.execute(
        select(SchoolNotice.school_id, SchoolNotice.township_id, School.name)
        .join(School, School.id == SchoolNotice.school_id)
        .where(SchoolNotice.id.in_(ids))
        .order_by(SchoolNotice.township_id, School.name)
    ).all()
    by_township: dict[int, list[str]] = defaultdict(list)
    for _, township_id, name in rows:
        by_township[township_id].append(name)
    township_names = dict(
        db.session.execute(
            select(Township.id, Township.name_zh).where(Township.id.in_(list(by_township)))
        ).all()
    )
    contacts = db.session.execute(
        select(SchoolContact.township_id, SchoolContact.phone).where(
            SchoolContact.jurisdiction_id == revision.warning.jurisdiction_id, SchoolContact.active.is_(True)
        )
    ).all()

    # One text per phone: a person on both lists gets the fuller one.
    texts_by_phone: dict[str, str] = {}
    overview = texts.overview([(township_names[t], names) for t, names in by_township.items()])
    for contact_township_id, phone in contacts:
        if contact_township_id is None:
            texts_by_phone[phone] = texts.report(
                content,
                audience="县教科局",
                names=overview,
                count=len(ids),
                sent=revision.publication_time,
                now=now,
                tz=tz,
            )
        elif contact_township_id in by_township and phone not in texts_by_phone:
            names = by_township[contact_township_id]
            texts_by_phone[phone] = texts.report(
                content,
                audience=township_names[contact_township_id],
                names=texts.names_list(names),
                count=len(names),
                sent=revision.publication_time,
                now=now,
                tz=tz,
            )
    if texts_by_phone:
        db.session.execute(
            insert(Delivery),
            [
                _sms(revision, phone, body, now, school_notices.REPORT)
                for phone, body in texts_by_phone.items()
            ],
        )
        wakeup.after_commit(db.session)
    audit.record(
        "school.reported",
        actor_name="scheduler",
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence}: {len(ids)} schools "
        f"still silent, reported to {len(texts_by_phone)} contacts",
        detail={"school_ids": sorted(r.school_id for r in rows), "contacts": len(texts_by_phone)},
        at=now,
    )
    return len(ids)


def _sms(revision: Revision, address: str, body: str, now: datetime, purpose: str) -> dict:
    return {
        "revision_id": revision.id,
        "after_revision_id": None,
        "purpose": purpose,
        "channel": "sms",
        "address": address,
        "recipient_id": None,
        "locale": "zh",
        "body": body,
        "status": Status.PENDING,
        "gateway": routing.gateway_for(address),
        "attempts": 0,
        "next_attempt_at": now,
        "expires_at": revision.episode_end,
        "error_reason": "",
        "segments": school_notices.phone_segments(body, address, "zh"),
        "created_at": now,
        "updated_at": now,
    }
