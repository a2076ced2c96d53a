"""Evaluating a level's criteria rule against a forecast.

A rule is data stored with the level (Level.criteria_rule), so a second jurisdiction with other
thresholds needs no code: {"any": [...]}, {"all": [...]}, and leaves
{"aqi_above": N, "hours": H} = forecast daily AQI strictly above N for H consecutive hours or more.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notify.models import AlertKind, Level


class RuleError(ValueError):
    pass


def hours_above(daily_aqi: list[int], threshold: int) -> int:
    """Longest run of consecutive forecast days above the threshold, in hours."""
    longest = run = 0
    for value in daily_aqi:
        run = run + 1 if value > threshold else 0
        longest = max(longest, run)
    return longest * 24


def rule_met(rule: dict[str, Any], daily_aqi: list[int]) -> bool:
    if not isinstance(rule, dict) or len(rule) == 0:
        raise RuleError(f"not a rule: {rule!r}")
    if "any" in rule:
        return any(rule_met(r, daily_aqi) for r in rule["any"])
    if "all" in rule:
        return all(rule_met(r, daily_aqi) for r in rule["all"])
    if "aqi_above" in rule:
        return hours_above(daily_aqi, int(rule["aqi_above"])) >= int(rule.get("hours", 24))
    raise RuleError(f"unknown rule node: {sorted(rule)}")


def validate_rule(rule: Any) -> None:
    """Raise RuleError unless the rule is well-formed (used when an administrator edits it)."""
    if rule is None:
        return
    if not isinstance(rule, dict) or len(rule) != 1 and "aqi_above" not in rule:
        raise RuleError("a rule is an object with one key: any, all or aqi_above")
    if "any" in rule or "all" in rule:
        children = rule.get("any", rule.get("all"))
        if not isinstance(children, list) or not children:
            raise RuleError("any/all take a non-empty list")
        for child in children:
            validate_rule(child)
        return
    if "aqi_above" in rule:
        extra = set(rule) - {"aqi_above", "hours"}
        if extra:
            raise RuleError(f"unknown keys: {sorted(extra)}")
        for key in ("aqi_above", "hours"):
            if key in rule and (not isinstance(rule[key], int) or rule[key] < 0):
                raise RuleError(f"{key} must be a non-negative whole number")
        return
    raise RuleError(f"unknown rule node: {sorted(rule)}")


def suggest_level(levels: Iterable[Level], daily_aqi: list[int]) -> Level | None:
    """The highest level whose rule the forecast meets ("且未达到高级别预警条件")."""
    met = [lv for lv in levels if lv.criteria_rule and rule_met(lv.criteria_rule, daily_aqi)]
    return max(met, key=lambda lv: lv.rank) if met else None


def suggest_for_kind(kind: AlertKind, daily_aqi: list[int]) -> Level | None:
    return suggest_level(kind.levels, daily_aqi)
