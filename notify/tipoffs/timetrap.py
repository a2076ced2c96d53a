"""The time trap: a form filled in faster than a person can is a script.

The form carries the time it was shown, signed so that it cannot be forged or moved back.
"""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "tipoff-form-shown"
# A form left open longer than a day is stale; reloading it costs the reporter nothing.
MAX_AGE_SECONDS = 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(shown_at: float | None = None) -> str:
    return _serializer().dumps(int(shown_at if shown_at is not None else time.time()))


def check(token: str | None, now: float | None = None) -> str | None:
    """None if the form was shown long enough ago; else 'missing', 'too_fast' or 'stale'."""
    if not token:
        return "missing"
    try:
        shown_at = int(_serializer().loads(token))
    except (BadSignature, TypeError, ValueError):
        return "missing"
    elapsed = (now if now is not None else time.time()) - shown_at
    if elapsed < current_app.config["TIPOFF_MIN_FILL_SECONDS"]:
        return "too_fast"
    if elapsed > MAX_AGE_SECONDS:
        return "stale"
    return None
