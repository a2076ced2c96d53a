"""Escalating enterprises whose measures are not in place: two stored jobs per revision, kept in
the job store so that they survive a restart (notify.scheduling).

Stage 1, at the duty's due time (the response start + ENTERPRISE_DUTY_HOURS, seed 000 §5.6):
every enterprise not in place gets a reminder by SMS with its link again. Stage 2,
ENTERPRISE_ESCALATION_MINUTES later: each township's contacts get the list of their enterprises
still not in place (silent ones apart from those that received but did not confirm), and the
ecology bureau (contacts without a township) the county's summary. §7.2: the supervision group
checks them.

Who is not in place is decided by one UPDATE that stamps the duties it picks (reminded_at,
reported_at), so the messages sent and the duties stamped are the same set, and a job that runs
again (after a crash, or late) finds nothing left to do. Jobs of a superseded revision are
cancelled, and one that runs anyway finds its revision closed and does nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select, update

from notify import audit, clock, scheduling
from notify.ack_links import ENTERPRISE_DUTY
from notify.dispatch import wakeup
from notify.enterprises import confirm, messages
from notify.extensions import db
from notify.models import Delivery, Enterprise, EnterpriseContact, EnterpriseDuty, Revision, Township

BUREAU = "生态环境部门"


def schedule(revision_id: int, due_at: datetime) -> None:
    report_at = due_at + timedelta(minutes=current_app.config["ENTERPRISE_ESCALATION_MINUTES"])
    for stage, at in ((1, due_at), (2, report_at)):
        scheduling.schedule_once(
            escalate_enterprises,
            at,
            job_id=messages.job_id(revision_id, stage),
            revision_id=revision_id,
            stage=stage,
        )


def cancel(revision_id: int) -> None:
    for stage in (1, 2):
        scheduling.cancel(messages.job_id(revision_id, stage))


@scheduling.task
def escalate_enterprises(revision_id: int, stage: int) -> None:
    revision = db.session.get(Revision, revision_id)
    if revision is None:
        return
    now = clock.now()
    if confirm.revision_state(revision, now) != confirm.OPEN:
        return  # superseded, lifted or over: its duties are closed
    if stage == 1:
        remind(revision, now)
    else:
        report(revision, now)


def _stamp(revision: Revision, column: str, now: datetime) -> list[int]:
    """Stamp the revision's duties not in place and not yet stamped in `column`; their ids."""
    table = EnterpriseDuty.__table__
    rows = (
        db.session.execute(
            update(table)
            .where(
                table.c.revision_id == revision.id,
                table.c.kind == "duty",
                table.c.requires_ack.is_(True),
                table.c.in_place_at.is_(None),
                table.c.superseded_at.is_(None),
                table.c[column].is_(None),
            )
            .values({column: now})
            .returning(table.c.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    return sorted(rows)


def remind(revision: Revision, now: datetime) -> int:
    ids = _stamp(revision, "reminded_at", now)
    if not ids:
        return 0
    texts = messages.Texts(revision, revision.frozen_content, _due(revision))
    rows = db.session.execute(
        select(EnterpriseDuty.enterprise_id, EnterpriseDuty.phone, EnterpriseDuty.text_zh, Enterprise.name)
        .join(Enterprise, Enterprise.id == EnterpriseDuty.enterprise_id)
        .where(EnterpriseDuty.id.in_(ids))
        .order_by(EnterpriseDuty.id)
    ).all()
    out, link = messages.Rows(revision, now), ENTERPRISE_DUTY.linker()
    deliveries = [
        out.row(
            "sms",
            phone,
            texts.reminder(name=name, measure=text, link=link(revision.id, enterprise_id)),
            purpose=messages.REMINDER,
            expires=revision.episode_end,
            urgent=False,
        )
        for enterprise_id, phone, text, name in rows
        if phone
    ]
    if deliveries:
        db.session.execute(insert(Delivery.__table__), deliveries)
        wakeup.after_commit(db.session)
    audit.record(
        "enterprise.reminded",
        actor_name="scheduler",
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence}: {len(ids)} enterprises not in "
        "place reminded",
        detail={"enterprise_ids": [r.enterprise_id for r in rows]},
        at=now,
    )
    return len(ids)


def report(revision: Revision, now: datetime) -> int:
    ids = _stamp(revision, "reported_at", now)
    if not ids:
        return 0
    texts = messages.Texts(revision, revision.frozen_content, _due(revision))
    rows = db.session.execute(
        select(EnterpriseDuty.township_id, EnterpriseDuty.received_at, Enterprise.name, Enterprise.id)
        .join(Enterprise, Enterprise.id == EnterpriseDuty.enterprise_id)
        .where(EnterpriseDuty.id.in_(ids))
        .order_by(EnterpriseDuty.township_id, Enterprise.name)
    ).all()
    silent: dict[int, list[str]] = defaultdict(list)
    late: dict[int, list[str]] = defaultdict(list)
    for township_id, received_at, name, _ in rows:
        (late if received_at is not None else silent)[township_id].append(name)
    townships = sorted(set(silent) | set(late))
    township_names = dict(
        db.session.execute(select(Township.id, Township.name_zh).where(Township.id.in_(townships))).all()
    )
    contacts = db.session.execute(
        select(EnterpriseContact.township_id, EnterpriseContact.phone)
        .where(
            EnterpriseContact.jurisdiction_id == revision.warning.jurisdiction_id,
            EnterpriseContact.active.is_(True),
        )
        .order_by(EnterpriseContact.id)
    ).all()

    # One text per phone: a person on both lists gets the county's, which includes theirs.
    bodies: dict[str, str] = {}
    overview = _overview([(township_names[t], silent[t] + late[t]) for t in townships])
    for contact_township_id, phone in contacts:
        if contact_township_id is None:
            bodies[phone] = texts.report(audience=BUREAU, names=overview, count=len(ids), now=now)
        elif contact_township_id in township_names and phone not in bodies:
            bodies[phone] = texts.report(
                audience=township_names[contact_township_id],
                names=_township_names(silent[contact_township_id], late[contact_township_id]),
                count=len(silent[contact_township_id]) + len(late[contact_township_id]),
                now=now,
            )
    if bodies:
        out = messages.Rows(revision, now)
        db.session.execute(
            insert(Delivery.__table__),
            [
                out.row(
                    "sms",
                    phone,
                    body,
                    purpose=messages.REPORT,
                    expires=revision.episode_end,
                    urgent=False,
                )
                for phone, body in bodies.items()
            ],
        )
        wakeup.after_commit(db.session)
    audit.record(
        "enterprise.reported",
        actor_name="scheduler",
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence}: {len(ids)} enterprises not in "
        f"place, reported to {len(bodies)} contacts",
        detail={
            "enterprise_ids": sorted(r.id for r in rows),
            "silent": sum(len(v) for v in silent.values()),
            "received_not_in_place": sum(len(v) for v in late.values()),
            "contacts": len(bodies),
        },
        at=now,
    )
    return len(ids)


def _due(revision: Revision) -> datetime | None:
    return db.session.scalar(
        select(EnterpriseDuty.due_at)
        .where(EnterpriseDuty.revision_id == revision.id, EnterpriseDuty.due_at.is_not(None))
        .limit(1)
    )


def _township_names(silent: list[str], late: list[str]) -> str:
    parts = []
    if silent:
        parts.append(f"未回复{len(silent)}家（{messages.names_list(silent)}）")
    if late:
        parts.append(f"已收到未到位{len(late)}家（{messages.names_list(late)}）")
    return "；".join(parts)


def _overview(townships: list[tuple[str, list[str]]]) -> str:
    """The bureau's list: per township its enterprises; only the counts if that is too long."""
    full = "；".join(f"{town}{len(names)}家（{'、'.join(names)}）" for town, names in townships)
    if len(full) <= messages.MAX_NAMES_CHARS:
        return full
    return "；".join(f"{town}{len(names)}家" for town, names in townships) + "（名单见平台）"
