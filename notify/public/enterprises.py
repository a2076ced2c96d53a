"""Public enterprise pages, no login, made for a phone: the county's grading list (seed 001 §五:
grading results are published for public supervision), each enterprise's notice board (公示牌,
001 §六(六): the measure in force now, its plan per level, its tip-offs and a link to report it)
and the board's QR code and printable A4 sheet for the gate.

These are rendered on request, like the tip-off pages, not exported: the list is searched with
a query string, and a board changes with every tip-off as well as with publication. They are
cached briefly (ETag, 304) and vary with the language cookie.
"""

from __future__ import annotations

import io

import segno
from flask import abort, current_app, make_response, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from notify.enterprises import credit_code as credit_codes
from notify.enterprises import industries
from notify.enterprises import public_queries as queries
from notify.lifecycle import queries as lifecycle_queries
from notify.public import bp
from notify.public.views import public_url
from notify.tipoffs.categories import category_label, outcome_label
from notify.tipoffs.guard import state_label

PAGE_MAX_AGE = 60
QR_MAX_AGE = 24 * 3600  # the code holds the board's address, which does not change

BAD_FILTER = {
    "search": _l("Search with at most 100 characters."),
    "township": _l("Choose a township from the list."),
    "industry": _l("Choose an industry from the list."),
    "grade": _l("Choose a grade from the list."),
    "page": _l("The page number is not a number."),
}
RESPONSE_LABELS = {
    "III": _l("Level Ⅲ response (yellow warning)"),
    "II": _l("Level Ⅱ response (orange warning)"),
    "I": _l("Level Ⅰ response (red warning)"),
}


def _jurisdiction():
    j = lifecycle_queries.jurisdiction_by_code(current_app.config["JURISDICTION_CODE"])
    if j is None:
        abort(404)
    return j


def _enterprise(j, code: str):
    """The listed enterprise of a URL's credit code; 404 for a malformed or unknown one."""
    if not credit_codes.valid(code):
        abort(404)
    enterprise = queries.public_enterprise(j.id, code)
    if enterprise is None:
        abort(404)
    return enterprise


def _canonical(code: str, endpoint: str) -> BaseResponse | None:
    """A code typed in lower case or with spaces: one address per board."""
    normal = credit_codes.normalise(code)
    if normal != code and credit_codes.valid(normal):
        return redirect(public_url(endpoint, credit_code=normal), 301)
    return None


def _cached(response: BaseResponse, max_age: int = PAGE_MAX_AGE) -> BaseResponse:
    if response.status_code != 200:
        response.headers["Cache-Control"] = "no-store"
        return response
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.vary.add("Cookie")  # the language may come from the cookie
    response.add_etag()
    return response.make_conditional(request)


def board_url(code: str) -> str:
    """The board's absolute address, as the QR code at the gate holds it."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/enterprises/{code}"


def _labels() -> dict:
    locale = str(get_locale())
    return {
        "grade_label": queries.grade_label,
        "industry_label": lambda e: queries.industry_label(e, locale),
        "response_label": lambda r: RESPONSE_LABELS.get(r, r),
        "category_label": category_label,
        "state_label": state_label,
        "outcome_label": outcome_label,
    }


@bp.get("/enterprises")
def enterprise_list():
    j = _jurisdiction()
    message, status = None, 200
    try:
        wanted = queries.parse_filter(j.id, request.args.to_dict())
    except queries.BadFilter as bad:
        message, status = BAD_FILTER[str(bad)], 400
        wanted = queries.ListFilter()
    result = queries.grading_list(j.id, wanted)
    locale = str(get_locale())
    body = render_template(
        "public/enterprises/list.html",
        jurisdiction=j,
        wanted=wanted,
        result=result,
        message=message,
        townships=queries.townships(j.id),
        industry_choices=[(code, industries.label(code, "", locale)) for code in industries.INDUSTRIES],
        grade_choices=[(g, industries.GRADE_LABELS[g]) for g in queries.GRADE_ORDER],
        **_labels(),
    )
    return _cached(make_response(body, status))


@bp.get("/enterprises/<credit_code>")
def enterprise_board(credit_code: str):
    return _board_page(credit_code, "public.enterprise_board", "public/enterprises/board.html")


@bp.get("/enterprises/<credit_code>/qr.svg")
def enterprise_qr(credit_code: str):
    j = _jurisdiction()
    enterprise = _enterprise(j, credit_codes.normalise(credit_code))
    response = make_response(qr_svg(board_url(enterprise.credit_code)))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    return _cached(response, QR_MAX_AGE)


@bp.get("/enterprises/<credit_code>/print")
def enterprise_print(credit_code: str):
    return _board_page(credit_code, "public.enterprise_print", "public/enterprises/print.html")


def _board_page(credit_code: str, endpoint: str, template: str):
    """An enterprise's notice board, on screen or for print, at its canonical address."""
    moved = _canonical(credit_code, endpoint)
    if moved is not None:
        return moved
    j = _jurisdiction()
    enterprise = _enterprise(j, credit_code)
    body = render_template(
        template,
        jurisdiction=j,
        board=queries.board(enterprise),
        board_url=board_url(enterprise.credit_code),
        **_labels(),
    )
    return _cached(make_response(body))


def qr_svg(url: str) -> bytes:
    """The QR code of `url` as SVG. Error level Q: a board outdoors gets dirty and scratched."""
    out = io.BytesIO()
    segno.make(url, error="q", micro=False).save(out, kind="svg", scale=10, border=4, title=url)
    return out.getvalue()
