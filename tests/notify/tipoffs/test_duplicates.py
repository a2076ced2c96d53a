"""Suggested duplicates: same category and township within 7 days, or within 250 m."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notify.tipoffs.duplicates import distance_m, suggestions
from tests.notify.tipoffs.fixtures import LAT, LON, make_tipoff

# Instants are passed explicitly; everything else runs on the suite's frozen scene clock
# (tests/scene_clock.py), so the fixed dates hold on any day.
T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
# 0.001° of latitude is about 111 m.
NEAR = (LAT + 0.002, LON)  # ~222 m
FAR = (LAT + 0.0028, LON)  # ~311 m


def test_distance():
    assert 215 < distance_m(LAT, LON, *NEAR) < 230
    assert 300 < distance_m(LAT, LON, *FAR) < 320


def _numbers(tipoff):
    return {s.tipoff.ticket_number for s in suggestions(tipoff)}


def test_same_category_and_township_within_7_days(sample_tipoff_env, sample_jurisdiction):
    towns = sample_jurisdiction.townships
    base, _ = make_tipoff(sample_jurisdiction, now=T0)
    same, _ = make_tipoff(sample_jurisdiction, now=T0 + timedelta(days=6))
    later, _ = make_tipoff(sample_jurisdiction, now=T0 + timedelta(days=8))
    other_town, _ = make_tipoff(sample_jurisdiction, township=towns[1], now=T0 + timedelta(days=1))
    other_kind, _ = make_tipoff(sample_jurisdiction, category="open_burning", now=T0 + timedelta(days=1))
    assert _numbers(base) == {same.ticket_number}
    assert base.ticket_number in _numbers(same) and later.ticket_number in _numbers(same)


def test_within_250_m_whatever_the_category(sample_tipoff_env, sample_jurisdiction):
    towns = sample_jurisdiction.townships
    base, _ = make_tipoff(sample_jurisdiction, now=T0, latitude=LAT, longitude=LON)
    near, _ = make_tipoff(
        sample_jurisdiction,
        township=towns[1],
        category="fireworks",
        now=T0 + timedelta(days=2),
        latitude=NEAR[0],
        longitude=NEAR[1],
    )
    far, _ = make_tipoff(
        sample_jurisdiction,
        township=towns[1],
        category="fireworks",
        now=T0 + timedelta(days=2),
        latitude=FAR[0],
        longitude=FAR[1],
    )
    found = {s.tipoff.ticket_number: s for s in suggestions(base)}
    assert set(found) == {near.ticket_number}
    assert not found[near.ticket_number].same_place and found[near.ticket_number].distance_m < 250
    assert far.ticket_number not in _numbers(base)
