"""The dispatch page of a published revision: live progress, a chart over time, the per-address
log, the gateways' circuit events, and the replay of dead letters.

The page polls dispatch.json; every figure comes from one aggregate query, so the page costs
the same for a hundred deliveries as for a million.
"""

from __future__ import annotations

import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from admin import bp
from admin.access import roles_required
from admin.views.screens import READERS as SCREEN_READERS
from admin.views.warnings import _own_revision
from notify import audit, clock
from notify.channels import phone
from notify.dispatch import progress, wakeup
from notify.extensions import db
from notify.i18n import fmt_dt
from notify.ids import MAX_BIG_ID, query_int
from notify.models import Revision, Role
from notify.models.deliveries import Status
from notify.screens import status as screen_status

VIEWERS = (
    Role.OFFICE_STAFF.value,
    Role.PUBLICITY.value,
    Role.DEPUTY_COMMANDER.value,
    Role.COMMANDER.value,
    Role.ADMIN.value,
)
# Who may see whole numbers and replay dead letters: the office runs the dispatch, the
# administrator keeps the lists. Everyone else sees the last four digits only.
OPERATORS = (Role.OFFICE_STAFF.value, Role.ADMIN.value)
MASKED_SUFFIX = 4


def _published(revision_id: int) -> Revision:
    revision = _own_revision(revision_id)
    if revision.published_at is None:
        abort(404)  # nothing was dispatched: no page
    return revision


def sees_full_numbers() -> bool:
    return current_user.role in OPERATORS


def _log_query() -> tuple[progress.LogQuery, str | None]:
    """The log's search from the query string, or an error message for a refused search."""
    raw_q = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    if status and status not in Status.ALL:
        abort(400)
    query = progress.LogQuery(status=status or None, after=query_int("after", 0, maximum=MAX_BIG_ID))
    if not raw_q:
        return query, None
    digits = re.sub(r"[\s\-()]", "", raw_q)
    if not re.fullmatch(r"\+?\d{1,20}", digits):
        return query, _("Search by a phone number or its last digits.")
    if digits.startswith("+") or len(digits) >= 11:
        try:
            query.exact = phone.normalise(digits)
            return query, None
        except phone.InvalidNumber:
            if digits.startswith("+"):
                return query, _("That is not a valid phone number.")
    if not sees_full_numbers() and len(digits) > MASKED_SUFFIX:
        # Longer partial suffixes would let a masked role uncover hidden digits one by one.
        return query, _("Search by the last %(n)d digits or by the whole number.", n=MASKED_SUFFIX)
    query.suffix = digits.lstrip("+")
    return query, None


def _unreachable_screens(counts: dict) -> list[dict]:
    """Each screen not reporting, with why and a link to its page (for the roles that may open it)."""
    linked = current_user.role in SCREEN_READERS
    rows = []
    for item in counts["unreachable_screens"]:
        if item.reason == screen_status.NEVER_REPORTED:
            reason = _("never reported since it was registered")
        else:
            reason = _(
                "offline since %(since)s (last heard %(heard)s)",
                since=fmt_dt(item.since, "MM-dd HH:mm"),
                heard=fmt_dt(item.last_heard_at, "MM-dd HH:mm"),
            )
        rows.append(
            {
                "screen_id": item.screen_id,
                "name": item.screen_name,
                "reason": item.reason,
                "text": reason,
                "url": url_for("admin.screen_detail", screen_id=item.screen_id) if linked else None,
            }
        )
    return rows


class ReplayForm(FlaskForm):
    """Only the CSRF token: the revision is in the URL."""


@bp.get("/revisions/<int:revision_id>/dispatch")
@roles_required(*VIEWERS)
def dispatch(revision_id: int):
    revision = _published(revision_id)
    query, error = _log_query()
    rows, next_after = ([], None) if error else progress.log_page(revision.id, query)
    first, last = progress.period(revision.id)
    counts = progress.shown_counts(revision.id, clock.now())
    full = sees_full_numbers()
    return render_template(
        "admin/dispatch.html",
        revision=revision,
        warning=revision.warning,
        counts=counts,
        events=progress.gateway_events(first, last),
        rows=rows,
        next_after=next_after,
        query=query,
        q=request.args.get("q", ""),
        search_error=error,
        full_numbers=full,
        show=(lambda address: address if full else phone.mask(address)),
        statuses=Status.ALL,
        unreachable_screens=_unreachable_screens(counts),
        replay_form=ReplayForm() if full else None,
    ), (400 if error else 200)


@bp.get("/revisions/<int:revision_id>/dispatch.json")
@roles_required(*VIEWERS)
def dispatch_json(revision_id: int):
    revision = _published(revision_id)
    first, last = progress.period(revision.id)
    width = progress.bucket_width(first, last)
    counts = progress.shown_counts(revision.id, clock.now())
    events = [
        {"at": e.at.isoformat(), "gateway": e.gateway, "event": e.event, "detail": e.detail}
        for e in progress.gateway_events(first, last)
    ]
    response = jsonify(
        {
            **counts,
            "unreachable_screens": _unreachable_screens(counts),
            "bucket_seconds": width,
            "timeline": progress.timeline(revision.id, width),
            "events": events,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/revisions/<int:revision_id>/dispatch/replay")
@roles_required(*OPERATORS)
def replay_dead_letters(revision_id: int):
    revision = _published(revision_id)
    form = ReplayForm()
    if not form.validate():
        abort(400)
    count = progress.replay_dead(revision.id)
    if count:
        audit.record(
            "dispatch.replay",
            actor=current_user,
            subject=revision,
            warning_id=revision.warning_id,
            summary=f"{revision.warning.reference} #{revision.sequence}: {count} dead letters replayed",
            detail={"count": count},
        )
        wakeup.after_commit(db.session)
    db.session.commit()
    if count:
        flash(_("%(n)d dead letters queued again.", n=count), "success")
    else:
        flash(_("There are no dead letters to replay."), "success")
    return redirect(url_for("admin.dispatch", revision_id=revision.id))
