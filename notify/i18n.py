"""Language and time display: zh_CN first, en second; times shown in the jurisdiction's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, redirect, request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l

COOKIE = "lang"
LOGIN_MESSAGE = _l("Please log in to use the console.")


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, scheduler, tests of the domain: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang") or request.cookies.get(COOKIE)
    if wanted is not None and wanted in supported:
        return wanted
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def is_zh() -> bool:
    return str(get_locale()).startswith("zh")


def loc(obj: Any, name: str) -> str:
    """The zh or en rendering of a bilingual field of a model or a snapshot dict."""
    suffix = "zh" if is_zh() else "en"
    if isinstance(obj, dict):
        value = obj.get(f"{name}_{suffix}") if f"{name}_{suffix}" in obj else obj.get(suffix)
        fallback = obj.get(f"{name}_zh", obj.get("zh", ""))
    else:
        value = getattr(obj, f"{name}_{suffix}", "")
        fallback = getattr(obj, f"{name}_zh", "")
    return value or fallback or ""


def text(pair: dict[str, str] | None) -> str:
    """A {"zh": ..., "en": ...} pair in the current language, falling back to Chinese."""
    if not pair:
        return ""
    return (pair.get("zh") if is_zh() else pair.get("en")) or pair.get("zh", "")


def fmt_dt(value: datetime | str | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, fmt)


def localtime(value: str | datetime | None, tz: str = "Asia/Shanghai") -> str:
    """A stored UTC time as wall-clock time in the jurisdiction, for message texts.

    Message texts are rendered once at approval, outside any reader's locale, so they use the
    jurisdiction's zone directly rather than Babel's per-request one.
    """
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return "/"
    return target


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(loc=loc, text=text, fmt_dt=fmt_dt, is_zh=is_zh, get_locale=get_locale)
    app.jinja_env.filters["localtime"] = localtime

    @app.get("/lang/<code>")
    def set_language(code: str):
        response = redirect(_safe_next(request.args.get("next")))
        if code in app.config["LANGUAGES"]:
            response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @app.after_request
    def remember_language(response):
        wanted = request.args.get("lang")
        if wanted in app.config["LANGUAGES"] and request.cookies.get(COOKIE) != wanted:
            response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @app.before_request
    def _remember_path():
        g.lang_next = request.full_path.rstrip("?")
