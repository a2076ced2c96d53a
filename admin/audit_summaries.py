"""What an audit event says, in the viewer's language.

Events keep a summary written when they happened, in whatever language its writer used; the
console instead renders one from the event's structured data (its detail, subject and warning)
in the language of whoever reads it. An event this module cannot describe (an old row whose
detail lacks what is needed, a subject since removed, an action added later) shows its stored
summary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from admin.labels import (
    API_PREFIX,
    duty_label,
    event_label,
    revision_action_label,
    revision_state_label,
    via_label,
)
from notify import audit_log
from notify.channels.phone import mask
from notify.i18n import fmt_dt, loc
from notify.models import AuditEvent
from notify.tipoffs.categories import category_label
from notify.tipoffs.guard import state_label as tipoff_state_label

Renderer = Callable[[AuditEvent, dict[str, Any]], "str | None"]
_RENDERERS: dict[str, Renderer] = {}


def summary(event: AuditEvent) -> str:
    """The event's summary in the viewer's language, or its stored one."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    renderer = _RENDERERS.get(event.action)
    if renderer is None and event.action.startswith(API_PREFIX):
        renderer = _api
    try:
        rendered = renderer(event, detail) if renderer is not None else None
    except (AttributeError, KeyError, TypeError, ValueError):  # an old row's detail in an older shape
        rendered = None
    return rendered if rendered is not None else event.summary


def renders(*actions: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        for action in actions:
            _RENDERERS[action] = fn
        return fn

    return register


# -- what events are about ----------------------------------------------------------------------
def _subject(event: AuditEvent, kind: str) -> Any:
    return audit_log.subject_of(event) if event.subject_type == kind else None


def _step(event: AuditEvent) -> str | None:
    """The warning step an event is about, as the console names it: reference #sequence."""
    revision = _subject(event, "Revision")
    if revision is not None:
        return f"{revision.warning.reference} #{revision.sequence}"
    warning = audit_log.warning_of(event)
    return warning.reference if warning is not None else None


def _warning(event: AuditEvent) -> str | None:
    warning = audit_log.warning_of(event)
    return warning.reference if warning is not None else None


def _name(event: AuditEvent) -> str | None:
    """A named subject's name (screen, robot, webhook, integration, unit, township, …)."""
    subject = audit_log.subject_of(event)
    if subject is None:
        return None
    if hasattr(subject, "name_zh"):
        return loc(subject, "name")
    return getattr(subject, "name", None) or getattr(subject, "username", None)


def _day(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return fmt_dt(datetime(day.year, day.month, day.day), "yyyy-MM-dd")


def _on_off(active: bool) -> str:
    return _("switched on") if active else _("switched off")


# -- signing in --------------------------------------------------------------------------------
# Refused log-ins store their reason as a fixed phrase; these are those phrases.
_LOGIN_REASONS = {
    "wrong user name or password, or inactive user": lambda: _(
        "Wrong user name or password, or inactive user"
    ),
    "wrong second-factor code": lambda: _("Wrong second-factor code"),
    "wrong current password at a password change": lambda: _("Wrong current password at a password change"),
    "refused while locked out": lambda: _("Refused while locked out"),
}


@renders("login.failed", "login.locked")
def _login_refused(event: AuditEvent, d: dict) -> str | None:
    reason = _LOGIN_REASONS.get(event.summary)
    return reason() if reason is not None else None


@renders("login", "logout", "second_factor.enrolled", "second_factor.removed", "demo.seeded")
def _nothing_more(event: AuditEvent, d: dict) -> str | None:
    return ""


@renders("password.changed")
def _password(event: AuditEvent, d: dict) -> str | None:
    ended = d.get("sessions_ended")
    return _("%(n)d other sessions ended", n=ended) if ended else ""


# -- warnings ------------------------------------------------------------------------------------
@renders("revision.draft")
def _draft(event: AuditEvent, d: dict) -> str | None:
    revision = _subject(event, "Revision")
    if revision is None:
        return None
    # Not the level: a draft may be edited to another one; the step's kind never changes.
    text = f"{revision.warning.reference} #{revision.sequence}: {revision_action_label(revision.action)}"
    return text + (" · " + _("exercise") if d.get("exercise") else "")


@renders("revision.edit")
def _edited(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    return _("%(step)s edited", step=step) if step else None


@renders(
    "revision.submit",
    "revision.approve",
    "revision.return",
    "revision.reject",
    "revision.publish",
    "revision.withdraw",
)
def _transition(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    if not step or "from" not in d or "to" not in d:
        return None
    return _(
        "%(step)s: %(before)s → %(after)s",
        step=step,
        before=revision_state_label(d["from"]),
        after=revision_state_label(d["to"]),
    )


@renders("revision.publication_scheduled")
def _scheduled(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    return _("%(step)s to be published at %(time)s", step=step, time=fmt_dt(d["run_at"])) if step else None


@renders("revision.published_on_schedule")
def _published_on_time(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    return (
        _("%(step)s published at the set time %(time)s", step=step, time=fmt_dt(d["run_at"]))
        if step
        else None
    )


@renders("revision.publication_unscheduled", "revision.scheduled_publication_skipped")
def _step_only(event: AuditEvent, d: dict) -> str | None:
    return _step(event)


@renders("deadline.approval_form.escalated", "deadline.publication.escalated")
def _deadline(event: AuditEvent, d: dict) -> str | None:
    return _(
        "Due at %(time)s: %(sms)d SMS, %(robots)d robot messages",
        time=fmt_dt(d["due_at"]),
        sms=d["sms"],
        robots=d["robots"],
    )


@renders("cap.import")
def _cap_import(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    return _("CAP %(identifier)s → draft %(step)s", identifier=d["identifier"], step=step) if step else None


@renders("consultation.create")
def _consultation(event: AuditEvent, d: dict) -> str | None:
    return event.summary  # the conclusion as the office wrote it


# -- sending -------------------------------------------------------------------------------------
@renders("dispatch.replay")
def _replay(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    return _("%(step)s: %(n)d dead letters sent again", step=step, n=d["count"]) if step else None


@renders("unit_tasks.sent")
def _unit_tasks(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    if not step:
        return None
    text = _(
        "%(step)s: %(units)d member units tasked, %(sms)d SMS", step=step, units=d["units"], sms=d["sms"]
    )
    without = d.get("units_without_mobile")
    return text + ("; " + _("%(n)d units have no liaison mobile", n=without) if without else "")


@renders("school.notices")
def _school_notices(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    if not step:
        return None
    return _(
        "%(step)s: %(schools)d school notices, %(robots)d school robots",
        step=step,
        schools=d["schools"],
        robots=len(d.get("robots") or []),
    )


@renders("school.acknowledged")
def _acknowledged(event: AuditEvent, d: dict) -> str | None:
    notice = _subject(event, "SchoolNotice")
    if notice is None:
        return None
    step = f"{notice.revision.warning.reference} #{notice.revision.sequence}"
    text = _(
        "%(school)s confirmed %(step)s %(via)s",
        school=notice.school.name,
        step=step,
        via=via_label(d.get("via")),
    )
    return text + (" · " + _("after the reminder") if d.get("after_reminder") else "")


@renders("school.reminded")
def _reminded(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    return _("%(step)s: %(n)d silent schools reminded", step=step, n=len(d["school_ids"])) if step else None


@renders("school.reported")
def _reported(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    if not step:
        return None
    return _(
        "%(step)s: %(n)d schools still silent, reported to %(contacts)d contacts",
        step=step,
        n=len(d["school_ids"]),
        contacts=d["contacts"],
    )


@renders("schools.import")
def _schools_import(event: AuditEvent, d: dict) -> str | None:
    return _("%(added)d added, %(updated)d updated", added=d["added"], updated=d["updated"])


@renders("schools.export")
def _schools_export(event: AuditEvent, d: dict) -> str | None:
    step = _step(event)
    return f"{step} · {str(d['format']).upper()}" if step else None


# -- daily reports and records -------------------------------------------------------------------
@renders("daily_report.filed", "daily_report.amended")
def _filed(event: AuditEvent, d: dict) -> str | None:
    report = _subject(event, "DailyReport")
    if report is None:
        return None
    text = _(
        "%(unit)s, report for %(day)s, %(via)s",
        unit=loc(report.member_unit, "name"),
        day=_day(d["day"]),
        via=via_label(d.get("via")),
    )
    return text + (" · " + _("late") if d.get("late") else "")


@renders("daily_report.reminded")
def _report_reminders(event: AuditEvent, d: dict) -> str | None:
    day = _subject(event, "ResponseDay")
    if day is None:
        return None
    return _(
        "%(day)s: %(units)d units not yet filed reminded, %(sms)d SMS",
        day=_day(day.day),
        units=len(d["units"]),
        sms=d["sms"],
    )


@renders("daily_report.closed")
def _closed(event: AuditEvent, d: dict) -> str | None:
    day = _subject(event, "ResponseDay")
    if day is None:
        return None
    text = _(
        "%(day)s: %(filed)d of %(units)d units filed", day=_day(day.day), filed=d["filed"], units=d["units"]
    )
    missing = d.get("missing") or []
    return text + ("; " + _("not filed: %(units)s", units="、".join(missing)) if missing else "")


@renders("daily_report.links_sent")
def _links(event: AuditEvent, d: dict) -> str | None:
    day = _subject(event, "ResponseDay")
    return _day(day.day) if day is not None else None


@renders(
    "records.summary_saved",
    "records.written_report_saved",
    "records.drill_saved",
    "records.evaluation_saved",
    "records.exported",
)
def _records(event: AuditEvent, d: dict) -> str | None:
    return _warning(event)


@renders("duty_contact.add", "duty_contact.deactivate")
def _duty_contact(event: AuditEvent, d: dict) -> str | None:
    contact = _subject(event, "DutyContact")
    if contact is None:
        return None
    return f"{duty_label(contact.duty)} · {contact.name} {mask(contact.phone)}"


# -- tip-offs ------------------------------------------------------------------------------------
@renders("tipoff.received")
def _tipoff_received(event: AuditEvent, d: dict) -> str | None:
    tipoff = _subject(event, "Tipoff")
    if tipoff is None:
        return None
    return f"{tipoff.ticket_number} · {category_label(tipoff.category)}"


def _tipoff_transition(event: AuditEvent, d: dict) -> str | None:
    tipoff = _subject(event, "Tipoff")
    if tipoff is None or "from" not in d or "to" not in d:
        return None
    return _(
        "%(step)s: %(before)s → %(after)s",
        step=tipoff.ticket_number,
        before=tipoff_state_label(d["from"]),
        after=tipoff_state_label(d["to"]),
    )


for _action in (
    "accept",
    "not_accept",
    "mark_duplicate",
    "refer",
    "start_verifying",
    "submit_reply",
    "approve_reply",
    "return_reply",
    "extend",
    "publish_clarification",
    "propose_reward",
    "approve_reward",
    "record_payment",
):
    _RENDERERS[f"tipoff.{_action}"] = _tipoff_transition


@renders("tipoff.identity_viewed", "tipoff.photo_public", "tipoff.photo_private")
def _ticket(event: AuditEvent, d: dict) -> str | None:
    tipoff = _subject(event, "Tipoff")
    return tipoff.ticket_number if tipoff is not None else None


@renders("tipoff.export")
def _tipoff_export(event: AuditEvent, d: dict) -> str | None:
    return _("%(n)d tip-offs", n=d["count"]) if "count" in d else None


# -- screens, robots, webhooks, integrations, settings -------------------------------------------
@renders(
    "screen.created",
    "screen.changed",
    "screen.token_replaced",
    "robot.create",
    "robot.update",
    "webhook.create",
    "webhook.update",
    "integration.create",
    "integration.update",
    "integration.consent",
    "integration.consent_withdraw",
    "settings.member_unit",
    "settings.township",
    "settings.expert",
    "settings.user",
)
def _named(event: AuditEvent, d: dict) -> str | None:
    return _name(event)


@renders("integration.token_issue", "integration.token_revoke")
def _token(event: AuditEvent, d: dict) -> str | None:
    name = _name(event)
    return f"{name} · {d['prefix']}…" if name else None


@renders("robot.active", "webhook.active")
def _switched(event: AuditEvent, d: dict) -> str | None:
    name = _name(event)
    return f"{name} · {_on_off(bool(d['active']))}" if name else None


@renders("screen.online")
def _screen_online(event: AuditEvent, d: dict) -> str | None:
    name = _name(event)
    if not name:
        return None
    offline = datetime.fromisoformat(d["back_at"]) - datetime.fromisoformat(d["offline_from"])
    return _("%(screen)s: heard again after %(n)d s offline", screen=name, n=int(offline.total_seconds()))


@renders("screen.displayed")
def _screen_displayed(event: AuditEvent, d: dict) -> str | None:
    name = _name(event)
    return (
        _("%(screen)s: displaying version %(version)s", screen=name, version=d["version"]) if name else None
    )


@renders("screen.offline")
def _screens_offline(event: AuditEvent, d: dict) -> str | None:
    names = [s["name"] for s in d["screens"]]
    return _(
        "%(n)d offline: %(screens)s",
        n=len(names),
        screens="、".join(names[:10]) + ("…" if len(names) > 10 else ""),
    )


@renders("settings.level")
def _level(event: AuditEvent, d: dict) -> str | None:
    level = _subject(event, "Level")
    return f"{loc(level.kind, 'name')} · {loc(level, 'name')}" if level is not None else None


@renders("settings.audience_rules")
def _rules(event: AuditEvent, d: dict) -> str | None:
    return _("%(added)d added, %(removed)d removed", added=len(d["added"]), removed=len(d["removed"]))


@renders("audience.import")
def _audience_import(event: AuditEvent, d: dict) -> str | None:
    group = _subject(event, "AudienceGroup")
    if group is None:
        return None
    return f"{loc(group, 'name')} · " + _(
        "%(added)d added, %(updated)d updated", added=d["added"], updated=d["updated"]
    )


@renders("audience.recipient_active")
def _recipient(event: AuditEvent, d: dict) -> str | None:
    recipient = _subject(event, "Recipient")
    if recipient is None:
        return None
    return f"{loc(recipient.group, 'name')} · {recipient.address} · {_on_off(bool(d['active']))}"


# -- the platform itself -------------------------------------------------------------------------
@renders("scheduler.job_failed")
def _job_failed(event: AuditEvent, d: dict) -> str | None:
    return str(d["job"])


@renders("scheduler.late_run")
def _late_run(event: AuditEvent, d: dict) -> str | None:
    due = d["due"]
    return _(
        "%(job)s was due at %(time)s (%(runs)d times) while no scheduler ran; it ran once, %(late)d s late",
        job=d["job"],
        time=fmt_dt(due[0]),
        runs=len(due),
        late=d["late_seconds"],
    )


@renders("audit.export")
def _audit_export(event: AuditEvent, d: dict) -> str | None:
    """The filters the export was made with."""
    parts = []
    if d.get("user"):
        parts.append(_("user %(name)s", name=d["user"]))
    if d.get("action"):
        parts.append(event_label(d["action"]))
    if d.get("from") or d.get("to"):
        parts.append(f"{d.get('from') or '…'} – {d.get('to') or '…'}")
    return " · ".join(parts) if parts else _("every event")


def _api(event: AuditEvent, d: dict) -> str | None:
    integration = d.get("integration")
    return _("through %(integration)s", integration=integration) if integration else None
