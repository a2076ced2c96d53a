"""Response statistics (附件6), computed from the published revisions, never typed.

A response runs from the first published revision's response start to the publication of its
lifting. Each published issue, upgrade, downgrade or extension starts a period at its level.
Times are to the hour, as the form says (表格内时间均精确到小时); durations are whole hours
between the hour-truncated start and end, so the printed numbers add up. Cumulative hours and
count run over the same year (local) and alert kind, up to and including this response.
Exercises are not responses and count nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from notify import clock
from notify.extensions import db
from notify.models import Level, Warning
from notify.timed import zone


@dataclass(frozen=True)
class Period:
    level: Level
    start: datetime
    end: datetime | None
    hours: int


@dataclass
class ResponseStatistics:
    warning: Warning
    start: datetime | None  # to the hour
    end: datetime | None  # to the hour; None while in force
    hours: int  # 持续响应时间
    ongoing: bool
    periods: list[Period] = field(default_factory=list)
    cumulative_hours: int = 0  # 累计响应时间 (year and kind)
    cumulative_count: int = 0  # 累计响应次数 (year and kind)
    year: int | None = None

    @property
    def level_text(self) -> str:
        seen: list[str] = []
        for p in self.periods:
            label = f"{p.level.name_zh}（{p.level.response_level_zh}）"
            if not seen or seen[-1] != label:
                seen.append(label)
        return " → ".join(seen)

    @property
    def highest(self) -> Level | None:
        return max((p.level for p in self.periods), key=lambda lv: lv.rank, default=None)


def _hour(value: datetime) -> datetime:
    """Truncated to the hour on the local clock (Yu County has no half-hour zone, but be exact)."""
    local = zone.local(value).replace(minute=0, second=0, microsecond=0)
    return local.astimezone(value.tzinfo)


def _hours(start: datetime, end: datetime) -> int:
    return max(int((end - start) // timedelta(hours=1)), 0)


def of_warning(warning: Warning, now: datetime | None = None) -> ResponseStatistics:
    now = now or clock.now()
    published = [r for r in warning.revisions if r.state == "published"]
    steps = [r for r in published if r.action != "lift"]
    lift = next((r for r in published if r.action == "lift"), None)
    if not steps:
        return ResponseStatistics(warning, None, None, 0, False)
    starts = [(r, r.response_start_at or r.publication_time) for r in steps]
    end_exact = lift.publication_time if lift is not None else None
    periods = []
    for i, (revision, begins) in enumerate(starts):
        ends = starts[i + 1][1] if i + 1 < len(starts) else end_exact
        s, e = _hour(begins), _hour(ends) if ends else None
        periods.append(Period(revision.level, s, e, _hours(s, e or _hour(now))))
    start = _hour(starts[0][1])
    end = _hour(end_exact) if end_exact else None
    return ResponseStatistics(
        warning,
        start,
        end,
        _hours(start, end or _hour(now)),
        end is None,
        periods,
        year=zone.local(start).year,
    )


def for_warning(warning: Warning, now: datetime | None = None) -> ResponseStatistics:
    """This response's figures, with the year's and kind's running totals up to it."""
    now = now or clock.now()
    stats = of_warning(warning, now)
    if stats.start is None or stats.year is None or warning.is_exercise:
        return stats
    for other in year_of(warning.jurisdiction_id, warning.kind_id, stats.year, now):
        if other.start is not None and other.start <= stats.start:
            stats.cumulative_hours += other.hours
            stats.cumulative_count += 1
    return stats


def year_of(
    jurisdiction_id: int, kind_id: int, year: int, now: datetime | None = None
) -> list[ResponseStatistics]:
    """Every response of a kind that started in a (local) year, in order."""
    now = now or clock.now()
    warnings = db.session.scalars(
        select(Warning)
        .where(
            Warning.jurisdiction_id == jurisdiction_id,
            Warning.kind_id == kind_id,
            Warning.is_exercise.is_(False),
            Warning.status.in_(("active", "lifted")),
        )
        .options(selectinload(Warning.revisions))
    ).all()
    started = [
        (s.start, s) for s in (of_warning(w, now) for w in warnings) if s.start is not None and s.year == year
    ]
    return [s for _, s in sorted(started, key=lambda pair: pair[0])]
