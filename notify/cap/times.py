"""CAP times: local wall-clock time with its offset, never `Z` (CAP 1.2 §3.3.2)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def cap_time(value: datetime | str, tz: str) -> str:
    """2026-11-23T20:00:00+08:00 for an aware datetime (or its ISO text) in zone `tz`."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(ZoneInfo(tz)).replace(microsecond=0)
    offset = local.strftime("%z")  # +0800
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset[:3] + ":" + offset[3:]


def local_minutes(value: datetime | str | None, tz: str) -> str:
    """2026-11-23 20:00, for text a person reads."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
