"""The endpoints a screen's vendor gateway uses.

    GET  /screens/<id>/feed.json   the feed (JSON, UTF-8)
    GET  /screens/<id>/feed.txt    the same feed as GBK plain text
    POST /screens/<id>/heartbeat   {"displayed_version": N}  (body optional)
    POST /screens/<id>/displayed   {"version": N}

Each request carries the screen's token, as `Authorization: Bearer <token>` or, for gateways
that can only be given a URL, `?token=<token>`. No token is a 401, a wrong one a 403, each with
a message. Feeds carry a strong ETag; a poll with If-None-Match gets a 304 until the feed
changes. Outside the session login and CSRF: gateways hold neither.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from notify import clock
from notify.extensions import csrf, db
from notify.models.screens import Screen
from notify.screens import feed, reports, status, tokens

bp = Blueprint("screens", __name__, url_prefix="/screens")
csrf.exempt(bp)

TEXT_TYPE = "text/plain; charset=GBK"
JSON_TYPE = "application/json; charset=utf-8"


def _error(status_code: int, message: str, *, text: bool = False, headers: dict | None = None):
    if text:
        body = (message + "\r\n").encode("gbk", errors="replace")
        return Response(body, status=status_code, content_type=TEXT_TYPE, headers=headers or {})
    response = jsonify(error=message)
    response.status_code = status_code
    response.headers.update(headers or {})
    return response


def _token() -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return (request.args.get("token") or "").strip()


def _authenticate(screen_id: int, *, text: bool = False):
    """(screen, None) for a good token, else (None, the error response)."""
    token = _token()
    if not token:
        return None, _error(
            401,
            _("A screen token is required: send it as “Authorization: Bearer <token>” or as ?token=."),
            text=text,
            headers={"WWW-Authenticate": 'Bearer realm="screens"'},
        )
    screen = db.session.get(Screen, screen_id)
    if screen is None:
        return None, _error(404, _("There is no screen number %(id)d.", id=screen_id), text=text)
    if not tokens.matches(token, screen.token_hash):
        return None, _error(
            403,
            _(
                "This token does not belong to screen %(id)d (it may have been replaced in the console).",
                id=screen_id,
            ),
            text=text,
        )
    if not screen.active:
        return None, _error(403, _("Screen %(id)d is switched off in the console.", id=screen_id), text=text)
    return screen, None


def _serve(screen_id: int, *, text: bool):
    now = clock.now()
    screen, error = _authenticate(screen_id, text=text)
    if error is not None:
        return error
    current = feed.current(screen, now)
    body = current.text_bytes() if text else current.json_bytes()
    tag = feed.etag(body)
    unchanged = request.if_none_match.contains_weak(tag.strip('"'))
    screen.last_fetch_at = now
    if not unchanged:
        reports.fetched(screen, current.version, now)
    db.session.commit()
    headers = {"ETag": tag, "Cache-Control": "no-cache", "X-Feed-Version": str(current.version)}
    if unchanged:
        return Response(status=304, headers=headers)
    return Response(body, content_type=TEXT_TYPE if text else JSON_TYPE, headers=headers)


@bp.get("/<int:screen_id>/feed.json")
def feed_json(screen_id: int):
    return _serve(screen_id, text=False)


@bp.get("/<int:screen_id>/feed.txt")
def feed_txt(screen_id: int):
    return _serve(screen_id, text=True)


def _body() -> dict | None:
    """The JSON object posted, {} for an empty body, None when it is not a JSON object."""
    raw = request.get_data()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _version(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _report(screen_id: int, field: str, *, required: bool):
    now = clock.now()
    screen, error = _authenticate(screen_id)
    if error is not None:
        return error
    body = _body()
    if body is None:
        return _error(400, _("The body must be a JSON object."))
    version = None
    if field in body or required:
        version = _version(body.get(field))
        if version is None:
            return _error(400, _("“%(field)s” must be a whole number of 0 or more.", field=field))
    if version is not None and version > screen.feed_version:
        return _error(
            409,
            _(
                "Version %(version)d was never published for this screen; its latest is %(latest)d.",
                version=version,
                latest=screen.feed_version,
            ),
        )
    reports.heard(screen, now)
    settled = reports.displayed(screen, version, now) if version is not None else 0
    db.session.commit()
    status.sweep_now_and_then(now)
    return jsonify(
        ok=True,
        feed_version=screen.feed_version,
        displayed_version=screen.displayed_version,
        deliveries_settled=settled,
        next_heartbeat_due=screen.heartbeat_due_at.isoformat(),
    )


@bp.post("/<int:screen_id>/heartbeat")
def heartbeat(screen_id: int):
    return _report(screen_id, "displayed_version", required=False)


@bp.post("/<int:screen_id>/displayed")
def displayed(screen_id: int):
    return _report(screen_id, "version", required=True)
