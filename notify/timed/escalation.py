"""Deadline escalation (plan §4.2.2): the approval form within 1 h of the consultation, and
publication within 2 h of approval.

A configurable lead (ESCALATION_LEAD_MINUTES) before each deadline, if the step is still not
done, the office director and the approver are alerted by SMS and through the command's group
robots, and the warning's timeline gets an entry. Each deadline alerts once (DeadlineAlert.key).
The jobs look at the record when they run, so a step done meanwhile simply ends them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from notify import audit, clock, scheduling
from notify.extensions import db
from notify.lifecycle.criteria import suggest_for_kind
from notify.lifecycle.queries import kinds
from notify.lifecycle.transitions import approver_role
from notify.models import (
    ApprovalForm,
    Consultation,
    DeadlineAlert,
    DutyContact,
    Jurisdiction,
    Level,
    Revision,
    User,
)
from notify.timed import messages
from notify.timed.publication import schedule_of
from notify.timed.zone import hm


def _lead() -> timedelta:
    return timedelta(minutes=current_app.config["ESCALATION_LEAD_MINUTES"])


def approval_form_due(consultation: Consultation) -> datetime:
    return consultation.concluded_at + timedelta(minutes=current_app.config["DEADLINE_APPROVAL_FORM_MINUTES"])


def publication_due(revision: Revision) -> datetime:
    if revision.decided_at is None:
        raise ValueError(f"revision {revision.id} is not approved: publication is not due yet")
    return revision.decided_at + timedelta(minutes=current_app.config["DEADLINE_PUBLICATION_MINUTES"])


def approval_form_job(consultation_id: int) -> str:
    return f"escalate:approval_form:{consultation_id}"


def publication_job(revision_id: int) -> str:
    return f"escalate:publication:{revision_id}"


def watch_consultation(consultation: Consultation, now: datetime | None = None) -> None:
    now = now or clock.now()
    run_at = max(approval_form_due(consultation) - _lead(), now)
    scheduling.schedule_once(
        escalate_approval_form,
        run_at,
        job_id=approval_form_job(consultation.id),
        consultation_id=consultation.id,
    )


def watch_publication(revision: Revision, now: datetime | None = None) -> None:
    now = now or clock.now()
    run_at = max(publication_due(revision) - _lead(), now)
    scheduling.schedule_once(
        escalate_publication, run_at, job_id=publication_job(revision.id), revision_id=revision.id
    )


def _approver_phones(jurisdiction_id: int, roles: set[str]) -> list[tuple[str, str]]:
    users = db.session.scalars(
        select(User).where(
            User.jurisdiction_id == jurisdiction_id,
            User.role.in_(roles),
            User.active.is_(True),
            User.phone != "",
        )
    ).all()
    return [(u.display_name, u.phone) for u in users]


def _director_phones(jurisdiction_id: int) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(DutyContact).where(
            DutyContact.jurisdiction_id == jurisdiction_id,
            DutyContact.duty == "office_director",
            DutyContact.active.is_(True),
        )
    ).all()
    return [(c.name, c.phone) for c in rows]


def _alert(
    *,
    key: str,
    deadline: str,
    jurisdiction: Jurisdiction,
    roles: set[str],
    due_at: datetime,
    text: str,
    warning_id: int | None,
    revision_id: int | None = None,
    consultation_id: int | None = None,
    subject=None,
) -> DeadlineAlert | None:
    if db.session.scalar(select(DeadlineAlert.id).where(DeadlineAlert.key == key)) is not None:
        return None
    now = clock.now()
    people = _director_phones(jurisdiction.id) + _approver_phones(jurisdiction.id, roles)
    numbers = messages.normalise_all(p for _, p in people)
    sms = messages.send_sms([(n, text) for n in numbers], purpose="escalation", now=now)
    robots = messages.post_to_robots(
        messages.escalation_robots(jurisdiction.id),
        f"**预警时限提醒**\n\n{text}",
        purpose="escalation",
        now=now,
    )
    alert = DeadlineAlert(
        key=key,
        deadline=deadline,
        warning_id=warning_id,
        revision_id=revision_id,
        consultation_id=consultation_id,
        due_at=due_at,
        sent_at=now,
        sms_count=sms,
        robot_count=robots,
        text=text,
    )
    db.session.add(alert)
    audit.record(
        f"deadline.{deadline}.escalated",
        actor_name="scheduler",
        subject=subject,
        warning_id=warning_id,
        at=now,
        summary=f"{text}（短信 {sms} 条，机器人 {robots} 个）",
        detail={
            "due_at": due_at.isoformat(),
            "sms": sms,
            "robots": robots,
            "to": [name for name, _ in people],
        },
    )
    return alert


@scheduling.task
def escalate_approval_form(consultation_id: int) -> None:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return
    revisions = db.session.scalars(select(Revision).where(Revision.consultation_id == consultation.id)).all()
    filed = db.session.scalar(
        select(ApprovalForm.id).join(Revision).where(Revision.consultation_id == consultation.id).limit(1)
    )
    if filed is not None:
        return
    draft = revisions[0] if revisions else None
    roles = {approver_role(draft)} if draft is not None else _approver_roles(consultation)
    jurisdiction = db.session.get_one(Jurisdiction, consultation.jurisdiction_id)
    due = approval_form_due(consultation)
    where = f"预警 {draft.warning.reference} 的" if draft is not None else ""
    text = (
        f"时限提醒：{hm(consultation.concluded_at)}会商结论形成，"
        f"{where}《预警信息发布审批表》须于{hm(due)}前填报，目前尚未填报。"
    )
    _alert(
        key=f"approval_form:c{consultation.id}",
        deadline="approval_form",
        jurisdiction=jurisdiction,
        roles=roles,
        due_at=due,
        text=text,
        subject=consultation,
        warning_id=draft.warning_id if draft is not None else None,
        revision_id=draft.id if draft is not None else None,
        consultation_id=consultation.id,
    )


def _approver_roles(consultation: Consultation) -> set[str]:
    """No draft yet: the level the forecast suggests decides the approver; else both may."""
    if consultation.forecast_daily_aqi:
        for kind in kinds(consultation.jurisdiction_id):
            level = suggest_for_kind(kind, consultation.forecast_daily_aqi)
            if level is not None:
                return {level.approver_role}
    return {"deputy_commander", "commander"}


@scheduling.task
def escalate_publication(revision_id: int) -> None:
    revision = db.session.get(Revision, revision_id)
    if revision is None or revision.state != "approved" or revision.decided_at is None:
        return
    warning = revision.warning
    due = publication_due(revision)
    timed = schedule_of(revision)
    later = (
        f"已设定于{hm(timed.run_at)}定时发布，" if timed is not None and timed.state == "scheduled" else ""
    )
    level: Level = revision.level
    text = (
        f"时限提醒：预警 {warning.reference}"
        f"（{level.name_zh}）已于{hm(revision.decided_at)}审批，须于{hm(due)}前发布，{later}"
        f"目前尚未发布。"
    )
    _alert(
        key=f"publication:r{revision.id}",
        deadline="publication",
        jurisdiction=warning.jurisdiction,
        roles={approver_role(revision)},
        due_at=due,
        text=text,
        warning_id=warning.id,
        revision_id=revision.id,
        subject=revision,
    )
