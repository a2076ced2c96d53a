"""Suggested duplicates: the office decides, this only points at likely ones.

A ticket is suggested when it was received within 7 days of this one (either side) and either
has the same category and township, or its map point lies within 250 m. The 7-day window
applies to both rules: a factory reported again next month is a new matter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select

from notify.extensions import db
from notify.models import Tipoff

WINDOW = timedelta(days=7)
RADIUS_M = 250.0
_EARTH_M = 6_371_000.0
# A degree of latitude is about 111 km; the box pre-filters in SQL, the haversine decides.
_DEG_LAT = RADIUS_M / 111_000.0


@dataclass(frozen=True)
class Suggestion:
    tipoff: Tipoff
    same_place: bool  # same category and township
    distance_m: float | None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def _point(tipoff: Tipoff) -> tuple[float, float] | None:
    """(latitude, longitude) of the map point, if the reporter gave one."""
    if tipoff.latitude is None or tipoff.longitude is None:
        return None
    return tipoff.latitude, tipoff.longitude


def suggestions(tipoff: Tipoff) -> list[Suggestion]:
    same_place = and_(Tipoff.category == tipoff.category, Tipoff.township_id == tipoff.township_id)
    rules = [same_place]
    point = _point(tipoff)
    if point is not None:
        lat, lon = point
        deg_lon = _DEG_LAT / max(0.01, math.cos(math.radians(lat)))
        rules.append(
            and_(
                Tipoff.latitude.between(lat - _DEG_LAT, lat + _DEG_LAT),
                Tipoff.longitude.between(lon - deg_lon, lon + deg_lon),
            )
        )
    rows = db.session.scalars(
        select(Tipoff)
        .where(
            Tipoff.jurisdiction_id == tipoff.jurisdiction_id,
            Tipoff.id != tipoff.id,
            Tipoff.received_at.between(tipoff.received_at - WINDOW, tipoff.received_at + WINDOW),
            Tipoff.state.not_in(["duplicate", "not_accepted"]),
            or_(*rules),
        )
        .order_by(Tipoff.received_at)
        .limit(50)
    )
    result = []
    for other in rows:
        other_point = _point(other)
        d = distance_m(*point, *other_point) if point is not None and other_point is not None else None
        is_same_place = other.category == tipoff.category and other.township_id == tipoff.township_id
        if is_same_place or (d is not None and d <= RADIUS_M):
            result.append(Suggestion(other, is_same_place, d))
    return result
