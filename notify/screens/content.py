"""What one warning says on a screen, built from its revision's frozen snapshot only.

A screen is read in passing, so a warning's text is short: the headline, the AQI range and
primary pollutant, until when, and the first health advice. The level heads every page in
words (红色预警), never by colour alone; a lifting says so (橙色预警解除) in the all-clear colour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from notify.screens import colours

SEVERITY_RANK = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1}
EXERCISE_MARK = "【演练】"
_PARENTHESES = re.compile(r"（[^）]*）|\([^)]*\)")


@dataclass
class Item:
    """One warning as a screen shows it, before wrapping for the screen's profile."""

    state: str  # warning | lifted | idle
    headers: list[str]  # the level in words, longest first; the first that fits is used
    paragraphs: list[str]
    colour: str  # exact colour of the pages
    level: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    rank: tuple = ()
    # Shown only on boards with room for them (see feed.SMALL_BOARD_CELLS): a small board
    # cycling through a dozen pages of advice is not read by anyone walking past.
    extras: list[str] = field(default_factory=list)


def level_words(level: dict[str, Any]) -> str:
    """The level's short name in words: 橙色预警 for 橙色预警（重大突发环境事件）."""
    return _PARENTHESES.sub("", level.get("name_zh") or "").strip() or (level.get("name_zh") or "")


def _when(iso: str | None, tz: str) -> str:
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(tz or "Asia/Shanghai"))
    return f"{moment.month}月{moment.day}日{moment.hour:02d}时"


def from_snapshot(content: dict[str, Any], *, exercise: bool, published_at: datetime | None) -> Item:
    level, kind = content["level"], content["kind"]
    details = content.get("content") or {}
    tz = (content.get("jurisdiction") or {}).get("timezone") or "Asia/Shanghai"
    words = level_words(level)
    kind_name = kind.get("name_zh") or ""
    lifted = content["revision"]["action"] == "lift"
    mark = EXERCISE_MARK if exercise else ""
    if lifted:
        headers = [f"{mark}{kind_name}{words}解除", f"{mark}{words}解除", f"{words}解除", words]
        colour = colours.ALL_CLEAR
    else:
        headers = [f"{mark}{kind_name}{words}", f"{mark}{words}", words]
        colour = level["colour"]
    paragraphs = [(content.get("headline") or {}).get("zh", "")]
    extras: list[str] = []
    if not lifted:
        aqi = ""
        if details.get("aqi_min") is not None and details.get("aqi_max") is not None:
            aqi = f"预计AQI {details['aqi_min']}-{details['aqi_max']}"
        facts = [
            aqi,
            details.get("degree") or "",
            f"首要污染物{details['primary_pollutant']}" if details.get("primary_pollutant") else "",
        ]
        paragraphs.append("，".join(f for f in facts if f) + ("。" if any(facts) else ""))
        response = level.get("response_level_zh") or ""
        # 启动Ⅱ级响应 says nothing new after a headline that already names the Ⅱ级 response.
        if response and response.replace("响应", "") not in paragraphs[0]:
            paragraphs.append(f"启动{response}。")
        until = _when(details.get("episode_end"), tz)
        if until:
            paragraphs.append(f"预计持续至{until}。")
        health = (content.get("advisories") or {}).get("health") or []
        if health and health[0].get("zh"):
            extras.append(health[0]["zh"])
    elif details.get("trend"):
        paragraphs.append(details["trend"])
    if exercise:
        paragraphs.insert(0, "以下为演练信息，不是真实预警。")
    revision = content["revision"]
    return Item(
        state="lifted" if lifted else "warning",
        headers=headers,
        paragraphs=[p for p in paragraphs if p],
        extras=extras,
        colour=colour,
        level={
            "code": level["code"],
            "words": words,
            "name": level.get("name_zh") or words,
            "colour": level["colour"],
        },
        meta={
            "warning": content["warning"]["reference"],
            "revision_id": revision["id"],
            "sequence": revision["sequence"],
            "action": revision["action"],
            "kind": kind_name,
            "exercise": exercise,
            "headline": (content.get("headline") or {}).get("zh", ""),
        },
        # Current warnings first, most severe first, newest first; liftings after them.
        rank=(
            0 if lifted else 1,
            SEVERITY_RANK.get(level.get("cap_severity"), 0),
            published_at.timestamp() if published_at else 0.0,
        ),
    )


def idle(jurisdiction_name: str) -> Item:
    words = "当前无预警"
    return Item(
        state="idle",
        headers=[f"{jurisdiction_name}{words}", words, "无预警"],
        paragraphs=[f"{jurisdiction_name}目前没有生效的预警信息。"],
        colour=colours.ALL_CLEAR,
        level={"code": "none", "words": words, "name": words, "colour": colours.ALL_CLEAR},
    )
