"""School notices, written in the transaction that publishes a revision (next to the outbox).

Each school's SMS carries its own signed link, so the text differs per row: the rows are built
in one pass over the schools and written with one multi-row INSERT per table (a county has a
few hundred schools; no ORM object per row). They then travel like any delivery: the executors
send them, receipts move them on, ordering and expiry apply as to the warning itself.

A robot shared by several schools (a township's school group chat) gets one message per
revision without any link: a link in a group chat would let anyone confirm for a school.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, insert, select

from notify import audit, scheduling
from notify.dispatch import priority, routing
from notify.dispatch.outbox import phone_segments
from notify.extensions import db
from notify.models import Delivery, Revision, Robot, School, SchoolNotice
from notify.models.deliveries import Status
from notify.models.robots import robot_address
from notify.schools import instructions, texts, tokens

PURPOSE = "school_notice"
REMINDER = "school_reminder"
REPORT = "school_report"
PURPOSES = (PURPOSE, REMINDER, REPORT)


def job_id(revision_id: int, stage: int) -> str:
    return f"schools:{revision_id}:{stage}"


def zone(revision: Revision) -> ZoneInfo:
    return ZoneInfo(revision.warning.jurisdiction.timezone or "Asia/Shanghai")


def schools_reached(revision: Revision) -> Select:
    """The schools a revision's notices go to: the active ones of its area, in id order. The
    approver's fingerprint of the audience (notify.audience_approval) reads the same rows."""
    query = (
        select(School.id, School.name, School.type, School.township_id, School.head_phone, School.robot_id)
        .where(School.jurisdiction_id == revision.warning.jurisdiction_id, School.active.is_(True))
        .order_by(School.id)
    )
    if revision.area_scope == "townships":
        query = query.where(School.township_id.in_([t.id for t in revision.townships]))
    return query


def write_for(revision: Revision, now: datetime) -> int:
    """Write the notices and their deliveries of a revision being published; returns how many
    schools get one. Schedules the escalation of those that must confirm."""
    if revision.supersedes_id:
        # The superseded revision's notices are closed: no reminder may follow them any more.
        for stage in (1, 2):
            scheduling.cancel(job_id(revision.supersedes_id, stage))
    warning = revision.warning
    items = instructions.frozen(revision)
    # An exercise reaches the test group only, never a school.
    if warning.is_exercise or not items:
        return 0
    requires_ack = revision.action != "lift"
    schools = db.session.execute(schools_reached(revision)).all()
    if not schools:
        return 0

    content = revision.frozen_content
    tz = zone(revision)
    when = {"published_at": now, "response_start": revision.response_start_at, "tz": tz}
    expires = None if revision.action == "lift" else revision.episode_end
    notices, deliveries, robot_ids, by_type = [], [], set(), {}
    for school in schools:
        if school.type not in by_type:
            by_type[school.type] = instructions.rendered(
                instructions.for_school_type(items, school.type), **when
            )
        mine = by_type[school.type]
        if not mine:
            continue
        link = tokens.link(revision.id, school.id) if requires_ack else None
        body = texts.notice(content, school=school.name, items=mine, link=link)
        notices.append(
            {
                "revision_id": revision.id,
                "school_id": school.id,
                "township_id": school.township_id,
                "phone": school.head_phone,
                "requires_ack": requires_ack,
                "items": mine,
                "body": body,
                "created_at": now,
                "acknowledged_by": "",
            }
        )
        deliveries.append(
            _delivery(
                revision,
                "sms",
                school.head_phone,
                body,
                now,
                expires,
                gateway=routing.gateway_for(school.head_phone),
            )
        )
        if school.robot_id:
            robot_ids.add(school.robot_id)
    if not notices:
        return 0
    if robot_ids:
        all_items = instructions.rendered(items, **when)
        body = texts.robot(content, items=all_items, ack=requires_ack)
        for robot_id, kind in db.session.execute(
            select(Robot.id, Robot.kind)
            .where(Robot.id.in_(robot_ids), Robot.active.is_(True))
            .order_by(Robot.id)
        ):
            deliveries.append(
                _delivery(revision, "robot", robot_address(robot_id), body, now, expires, gateway=kind)
            )
    db.session.execute(insert(SchoolNotice), notices)
    db.session.execute(insert(Delivery), deliveries)
    if requires_ack:
        first = now + timedelta(minutes=current_app.config["SCHOOL_ACK_ESCALATE_MINUTES"])
        second = first + timedelta(minutes=current_app.config["SCHOOL_ACK_REPORT_MINUTES"])
        from notify.schools.escalation import escalate_schools  # it imports this module back

        scheduling.schedule_once(
            escalate_schools, first, job_id=job_id(revision.id, 1), revision_id=revision.id, stage=1
        )
        scheduling.schedule_once(
            escalate_schools, second, job_id=job_id(revision.id, 2), revision_id=revision.id, stage=2
        )
    audit.record(
        "school.notices",
        actor_name="system",
        subject=revision,
        warning_id=warning.id,
        summary=f"{warning.reference} #{revision.sequence}: {len(notices)} school notices"
        + (f", {len(robot_ids)} robots" if robot_ids else ""),
        detail={"schools": len(notices), "robots": sorted(robot_ids), "requires_ack": requires_ack},
        at=now,
    )
    return len(notices)


def _delivery(
    revision: Revision,
    channel: str,
    address: str,
    body: str,
    now: datetime,
    expires: datetime | None,
    *,
    gateway: str,
    purpose: str = PURPOSE,
) -> dict:
    return {
        "revision_id": revision.id,
        "after_revision_id": revision.supersedes_id,
        "purpose": purpose,
        "channel": channel,
        "address": address,
        "recipient_id": None,
        "locale": "zh",
        "body": body,
        "status": Status.PENDING,
        "gateway": gateway,
        "attempts": 0,
        "next_attempt_at": now,
        "expires_at": expires,
        "error_reason": "",
        "segments": phone_segments(body, address, "zh") if channel == "sms" else None,
        # Schools must act (stop outdoor classes): as urgent as the other responders.
        "priority": priority.for_responders(revision),
        "created_at": now,
        "updated_at": now,
    }
