"""Public pages. Warnings render only from frozen snapshots: what was approved is what is shown.

Every page exists twice: at its own path in the visitor's language (cookie or ?lang=, Chinese by
default) and under /en/ always in English, so that the static export (notify.public.export) has
one file per page and language that any web server can serve. Feeds and CAP documents have one
URL each. Exercises never appear here.
"""

from __future__ import annotations

from functools import wraps

from flask import Response, abort, current_app, g, render_template, request, url_for
from flask_babel import force_locale
from werkzeug.wrappers import Response as BaseResponse

from notify import clock
from notify.cap.identifiers import message_for
from notify.extensions import db
from notify.i18n import is_zh
from notify.lifecycle import queries as lifecycle_queries
from notify.public import bp, feeds, queries

# Endpoints that have an English twin under /en/ (and are exported to static files).
TWINS: set[str] = set()
# Endpoints answered with an ETag, Cache-Control and 304 when they are rendered here.
CACHEABLE: set[str] = set()
PAGE_MAX_AGE = 60
CAP_MAX_AGE = 3600


def twin_rule(rule: str) -> str:
    return "/en/" if rule == "/" else "/en" + rule


def page(rule: str):
    """Register a page at `rule` and its English twin at /en<rule>."""

    def decorator(view):
        endpoint = view.__name__

        @wraps(view)
        def english(**values):
            with force_locale("en"):
                return view(**values)

        bp.add_url_rule(rule, endpoint, view)
        bp.add_url_rule(twin_rule(rule), endpoint + "_en", english)
        TWINS.add(endpoint)
        CACHEABLE.update({endpoint, endpoint + "_en"})
        return view

    return decorator


def _jurisdiction():
    j = lifecycle_queries.jurisdiction_by_code(current_app.config["JURISDICTION_CODE"])
    if j is None:
        abort(404)
    return j


@page("/")
def current():
    j = _jurisdiction()
    items = [(w, r.snapshot.content) for w, r in queries.active_warnings(j.id)]
    return render_template("public/current.html", jurisdiction=j, items=items)


@page("/history")
def history():
    j = _jurisdiction()
    revisions = queries.published_history(j.id)
    return render_template(
        "public/history.html", jurisdiction=j, items=[(r, r.snapshot.content) for r in revisions]
    )


@page("/warnings/<reference>")
def warning(reference: str):
    j = _jurisdiction()
    w = queries.public_warning(j.id, reference)
    if w is None:
        abort(404)
    published = [(r, r.frozen_content) for r in w.revisions if r.state == "published"]
    return render_template(
        "public/warning.html",
        jurisdiction=j,
        warning=w,
        current=published[-1][1],
        published=list(reversed(published)),
        identifiers=_identifiers([r for r, _ in published]),
    )


@page("/advice")
def advice_index():
    j = _jurisdiction()
    return render_template("public/advice_index.html", jurisdiction=j, kinds=queries.kinds_with_levels(j.id))


@page("/advice/<kind>/<level>")
def advice(kind: str, level: str):
    j = _jurisdiction()
    lv = queries.level_by_codes(j.id, kind, level)
    if lv is None:
        abort(404)
    return render_template(
        "public/advice.html", jurisdiction=j, level=lv, kind=lv.kind, blocks=lv.advisory_blocks()
    )


@bp.get(feeds.CURRENT_PATH)
def cap_feed():
    body = feeds.current_feed(_jurisdiction(), clock.now())
    db.session.commit()  # identifiers of revisions published before CAP existed, if any
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@bp.get(feeds.HISTORY_PATH)
def cap_history_feed():
    body = feeds.history_feed(_jurisdiction())
    db.session.commit()
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@bp.get("/cap/<identifier>.xml")
def cap_document(identifier: str):
    revision = queries.revision_by_identifier(_jurisdiction().id, identifier)
    if revision is None:
        abort(404)
    return Response(feeds.cap_document(revision), content_type="application/cap+xml; charset=utf-8")


CACHEABLE.update({"cap_feed", "cap_history_feed", "cap_document"})


def _identifiers(revisions) -> dict[int, str]:
    out = {r.id: message_for(r).identifier for r in revisions}
    db.session.commit()
    return out


@bp.after_request
def conditional(response: BaseResponse) -> BaseResponse:
    """Rendered pages get what the exported ones get: an ETag, caching headers and 304s."""
    endpoint = (request.endpoint or "").removeprefix("public.")
    if endpoint not in CACHEABLE or request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.cache_control.public = True
    response.cache_control.max_age = CAP_MAX_AGE if endpoint == "cap_document" else PAGE_MAX_AGE
    if endpoint in TWINS:
        response.vary.add("Cookie")  # the language comes from the cookie at these paths
    response.add_etag()
    return response.make_conditional(request)


# Helpers for the public templates.


def public_url(endpoint: str, **values) -> str:
    """A public page in the language being rendered: /en/… for English twins."""
    name = endpoint.removeprefix("public.")
    if not is_zh():
        if name in TWINS:
            return url_for(f"public.{name}_en", **values)
        return url_for(f"public.{name}", lang="en", **values)
    return url_for(f"public.{name}", **values)


def language_switch() -> tuple[str, str, str]:
    """(href, code, label) of the link to the same page in the other language.

    On pages with a twin it is a plain link (/en/… for English; the Chinese path with ?lang=zh_CN,
    which a static server ignores and the app remembers), so it works from the static export too.
    """
    endpoint = (request.endpoint or "").removeprefix("public.")
    base = endpoint.removesuffix("_en")
    values = dict(request.view_args or {})
    if base in TWINS:
        if is_zh():
            return url_for(f"public.{base}_en", **values), "en", "English"
        return url_for(f"public.{base}", **values) + "?lang=zh_CN", "zh_CN", "中文"
    if is_zh():
        return url_for("set_language", code="en", next=g.get("lang_next")), "en", "English"
    return url_for("set_language", code="zh_CN", next=g.get("lang_next")), "zh_CN", "中文"


@bp.app_context_processor
def _helpers():
    return {"public_url": public_url, "language_switch": language_switch}
