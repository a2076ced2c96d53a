"""The jurisdiction's wall clock: times are stored in UTC, and the plan speaks in Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local(value: datetime) -> datetime:
    return value.astimezone(zone())


def local_date(value: datetime) -> date:
    return local(value).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """hh:mm on a local calendar day, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone()).astimezone(UTC)


def hm(value: datetime | None) -> str:
    return local(value).strftime("%m月%d日%H:%M") if value else ""


def to_the_hour(value: datetime | None) -> str:
    """附件6: 表格内时间均精确到小时."""
    return local(value).strftime("%Y年%m月%d日%H时") if value else ""
