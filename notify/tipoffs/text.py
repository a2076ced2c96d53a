"""Text typed by people, made safe to store on every backend."""

from __future__ import annotations

_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def clean(value):
    """Drop control characters (NUL included: PostgreSQL refuses it in text), keep tabs and lines."""
    return value.translate(_CONTROL) if isinstance(value, str) else value
