"""The audit log (全程留痕, plan §1.5) for the administrator: their county's events, filtered by
user, action and date in the query string, a page at a time, and the same selection as CSV.

Events are named and summarised in the reader's language (admin/labels.py,
admin/audit_summaries.py); the same helpers name them on a warning's timeline.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.access import roles_required
from admin.audit_summaries import summary
from admin.forms import to_utc
from admin.labels import EVENTS, actor_label, delivery_status_label, event_label, via_label
from notify import audit, audit_log, clock
from notify.extensions import db
from notify.i18n import fmt_dt
from notify.ids import parse_int
from notify.models import AuditEvent, Role
from notify.spreadsheet_cells import safe_cell

ADMIN = Role.ADMIN.value


class BadFilter(ValueError):
    """A filter or page the query string asks for that cannot be: the page says which (400)."""


@dataclass(frozen=True)
class Selection:
    """What the query string asks for, checked."""

    filter: audit_log.AuditFilter
    args: dict[str, str]  # the filters as given, for the form and the links
    after: AuditEvent | None = None


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(_("The date %(value)s is not a date (YYYY-MM-DD).", value=raw[:20])) from None


def _local_midnight(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))  # type: ignore[return-value]


def _selection(args: Mapping[str, str]) -> Selection:
    jurisdiction_id = current_user.jurisdiction_id
    given = {k: (args.get(k) or "").strip() for k in ("user", "action", "from", "to")}
    user = None
    if given["user"]:
        user_id = parse_int(given["user"])
        user = audit_log.user_in(jurisdiction_id, user_id) if user_id is not None else None
        if user is None:
            raise BadFilter(_("There is no such user in your county."))
    if given["action"] and given["action"] not in _action_codes(jurisdiction_id):
        raise BadFilter(_("There is no such action in the audit log."))
    start, end = _date(args, "from"), _date(args, "to")
    if start is not None and end is not None and start > end:
        raise BadFilter(_("The first day comes after the last."))
    after = None
    raw_after = (args.get("after") or "").strip()
    if raw_after:
        event_id = parse_int(raw_after)
        after = audit_log.event_in(jurisdiction_id, event_id) if event_id is not None else None
        if after is None:
            raise BadFilter(_("There is no such page of the audit log."))
    return Selection(
        audit_log.AuditFilter(
            jurisdiction_id,
            user_id=user.id if user is not None else None,
            username=user.username if user is not None else None,
            action=given["action"] or None,
            start=_local_midnight(start) if start is not None else None,
            # The last day counts whole: up to the next midnight.
            end=_local_midnight(end + timedelta(days=1)) if end is not None else None,
        ),
        {k: v for k, v in given.items() if v},
        after,
    )


def _action_codes(jurisdiction_id: int) -> set[str]:
    return set(EVENTS) | set(audit_log.actions_in(jurisdiction_id))


def _choices(jurisdiction_id: int) -> dict:
    actions = sorted(_action_codes(jurisdiction_id), key=lambda code: (event_label(code), code))
    return {"users": audit_log.users_in(jurisdiction_id), "actions": [(a, event_label(a)) for a in actions]}


@bp.get("/audit", endpoint="audit_log")
@roles_required(ADMIN)
def audit_log_page():
    try:
        chosen = _selection(request.args)
    except BadFilter as refused:
        return render_template(
            "admin/audit.html", events=[], args={}, next_after=None, error=str(refused), **_choices(_county())
        ), 400
    events, more = audit_log.page(chosen.filter, chosen.after)
    audit_log.load_subjects(events)
    return render_template(
        "admin/audit.html",
        events=events,
        args=chosen.args,
        next_after=events[-1].id if more and events else None,
        paged=chosen.after is not None,
        error=None,
        **_choices(_county()),
    )


def _county() -> int:
    return current_user.jurisdiction_id


@bp.get("/audit.csv")
@roles_required(ADMIN)
def audit_log_csv():
    """The selection as CSV, every row (not only a page), in the reader's language."""
    try:
        chosen = _selection(request.args)
    except BadFilter as refused:
        return Response(str(refused) + "\n", status=400, mimetype="text/plain")
    audit.record(
        "audit.export",
        actor=current_user,
        summary="audit log exported",
        detail={
            "user": chosen.filter.username,
            "action": chosen.filter.action,
            "from": chosen.args.get("from"),
            "to": chosen.args.get("to"),
        },
    )
    db.session.commit()

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)

        def line(cells) -> str:
            writer.writerow([safe_cell(c) for c in cells])
            text = out.getvalue()
            out.seek(0)
            out.truncate()
            return text

        header = [_("When"), _("Who"), _("What"), _("Code"), _("Summary"), _("Reason"), _("From")]
        yield "\ufeff" + line(header)  # BOM: Excel then reads UTF-8 Chinese
        for event in audit_log.every(chosen.filter):
            reason = event.detail.get("reason") if isinstance(event.detail, dict) else None
            yield line(
                [
                    fmt_dt(event.occurred_at, "yyyy-MM-dd HH:mm:ss"),
                    actor_label(event.actor_id, event.actor_name),
                    event_label(event.action),
                    event.action,
                    summary(event),
                    reason or "",
                    event.ip,
                ]
            )

    stamp = fmt_dt(clock.now(), "yyyyMMdd-HHmm")
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )


# Names and summaries of events, wherever the console shows them (this log, a warning's timeline).
@bp.app_template_global()
def event_name(code: str) -> str:
    return event_label(code)


@bp.app_template_global()
def event_summary(event: AuditEvent) -> str:
    return summary(event)


@bp.app_template_global()
def event_actor(event: AuditEvent) -> str:
    return actor_label(event.actor_id, event.actor_name)


@bp.app_template_global()
def delivery_status(code: str) -> str:
    return delivery_status_label(code)


@bp.app_template_global()
def via_name(code: str | None) -> str:
    return via_label(code)
