"""The SMS texts of a proposal as the phones will show them, with their length and segment
count per route, and what the audience will cost in segments.

The texts are rendered by the same two functions that freeze a snapshot at approval
(snapshot.content_of and render_texts), from the unsaved form fields of the draft form or from a
saved revision, so the office sees exactly what the approver will freeze.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import abort, current_app, jsonify, request
from flask_login import current_user

from admin import bp
from admin.access import roles_required
from admin.forms import ProposalForm
from admin.views.warnings import OFFICE, _data_from, _own_kind, _own_revision, _own_warning
from notify import clock
from notify.audience import audience_size
from notify.channels import sms_segments
from notify.channels.sms_signature import Signatures
from notify.dispatch import routing
from notify.dispatch.costs import audience_segments
from notify.extensions import db
from notify.ids import query_int
from notify.lifecycle.proposals import CHANGE_ACTIONS
from notify.lifecycle.snapshot import content_of, mark_exercise, render_texts
from notify.models import AlertKind, Revision


def sms_figures(revision: Any, texts: dict[str, str] | None = None, size: int | None = None) -> dict:
    """Texts per language with their counts, the audience size and its total segments.

    Each text is counted as the phone shows it on each route (the domestic gateway puts its
    signature in front itself, Twilio sends the one written into the text); `text` and its
    figures are those of the language's usual route: Chinese through the domestic gateway,
    English through Twilio. `body` is the text without signature, as the snapshot freezes it.
    `revision` is a Revision or an unsaved look-alike (see _draft_revision); `texts` are given
    when they are already frozen.
    """
    size = audience_size(revision) if size is None else size
    if texts is None:
        content = content_of(revision, approver=current_user, now=clock.now(), audience=size)
        rendered = render_texts(content)
        texts = (mark_exercise(rendered) if content["exercise"] else rendered)["sms"]
    signatures = Signatures.from_config(current_app.config)
    per_text = {}
    for lang, body in texts.items():
        routes = {}
        for gateway in routing.SMS_ROUTES:
            shown = signatures.phone_text(body, gateway, lang)
            c = sms_segments.count(shown)
            routes[gateway] = {
                "text": shown,
                "length": c.length,
                "segments": c.segments,
                "encoding": c.encoding,
            }
        usual = routes[routing.DOMESTIC if lang == "zh" else routing.INTERNATIONAL]
        per_text[lang] = {**usual, "body": signatures.unsigned(body), "routes": routes}
    return {"sms": per_text, "audience": {"size": size, "segments": audience_segments(revision, texts)}}


def _draft_revision(
    kind: AlertKind, form: ProposalForm, *, action: str, warning=None, revision: Revision | None = None
) -> SimpleNamespace:
    """The proposal the form would save, as a plain object: never added to the session, so
    previewing can neither flush nor store anything."""
    data = _data_from(form, kind)
    if data.level is None:
        abort(400)
    if revision is not None:
        warning, action = revision.warning, revision.action
    if warning is None:
        warning = SimpleNamespace(
            id=None,
            reference="",
            jurisdiction=kind.jurisdiction,
            kind=kind,
            kind_id=kind.id,
            jurisdiction_id=kind.jurisdiction_id,
        )
    supersedes = revision.supersedes if revision is not None else getattr(warning, "current", None)
    sequence = revision.sequence if revision is not None else len(getattr(warning, "revisions", [])) + 1
    return SimpleNamespace(
        id=revision.id if revision is not None else None,
        sequence=sequence,
        action=action,
        warning=warning,
        supersedes=supersedes,
        level=data.level,
        level_id=data.level.id,
        headline_zh=data.headline_zh,
        headline_en=data.headline_en,
        area_scope=data.area_scope,
        townships=data.townships,
        trend=data.trend,
        episode_start=data.episode_start,
        episode_end=data.episode_end,
        aqi_min=data.aqi_min,
        aqi_max=data.aqi_max,
        degree=data.degree,
        primary_pollutant=data.primary_pollutant,
        response_start_at=data.response_start_at,
        advisories=data.advisories,
    )


def _arg_id(name: str) -> int | None:
    return query_int(name)


@bp.post("/kinds/<kind_code>/sms-preview")
@roles_required(*OFFICE)
def sms_preview(kind_code: str):
    """JSON for the draft form; the form posts its fields as they stand (with its CSRF token)."""
    kind = _own_kind(kind_code)
    action = request.args.get("action", "issue")
    if action != "issue" and action not in CHANGE_ACTIONS:
        abort(400)
    warning_id, revision_id = _arg_id("warning_id"), _arg_id("revision_id")
    warning = _own_warning(warning_id) if warning_id else None
    revision = _own_revision(revision_id) if revision_id else None
    if (warning is not None and warning.kind_id != kind.id) or (
        revision is not None and revision.warning.kind_id != kind.id
    ):
        abort(404)
    form = ProposalForm(meta={"csrf": False})  # the app-wide CSRF check has already run
    draft = _draft_revision(kind, form, action=action, warning=warning, revision=revision)
    try:
        figures = sms_figures(draft)
    finally:
        db.session.rollback()  # nothing a preview touched may linger in the session
    response = jsonify(figures)
    response.headers["Cache-Control"] = "no-store"
    return response
