"""The headline a step of a warning starts with, in Chinese and English, from its action and level.

A headline is published content in both languages at once (the public site, SMS, CAP), not text
of the console, so it is written here per language rather than translated. The office may edit
it; the console and the API only offer it, so that a downgrade never starts from the superseded
step's "…升级为橙色预警" and its SMS never announces an upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass

from notify.models import AlertKind, Level


@dataclass(frozen=True)
class Headline:
    zh: str
    en: str


def headline_for(kind: AlertKind, action: str, level: Level) -> Headline:
    """The headline of an issue, upgrade, downgrade, extension or lifting to/at `level`."""
    place_zh, place_en = kind.jurisdiction.name_zh, kind.jurisdiction.name_en
    if kind.graded:
        return Headline(
            _GRADED_ZH[action].format(
                place=place_zh, kind=kind.name_zh, level=level.name_zh, response=level.response_level_zh
            ),
            _GRADED_EN[action].format(
                place=place_en,
                kind=_lower_first(kind.name_en),
                level=_lower_first(level.name_en),
                a=_article(level.name_en),
                response=_lower_first(level.response_level_en),
            ),
        )
    # An ungraded kind (ozone prompt, SO2 control) has one pseudo-level and no response level.
    event_zh = kind.cap_event_zh or f"{kind.name_zh}{level.name_zh}"
    event_en = _lower_first(kind.cap_event_en or level.name_en)
    return Headline(
        _UNGRADED_ZH[action].format(place=place_zh, event=event_zh, level=level.name_zh),
        _UNGRADED_EN[action].format(
            place=place_en, event=event_en, a=_article(event_en), level=_lower_first(level.name_en)
        ),
    )


_GRADED_ZH = {
    "issue": "{place}发布{kind}{level}，启动{response}",
    "upgrade": "{place}{kind}预警升级为{level}，启动{response}",
    "downgrade": "{place}{kind}预警降级为{level}，调整为{response}",
    "extend": "{place}{kind}{level}延长，继续实施{response}",
    "lift": "{place}解除{kind}{level}，终止{response}",
}
_GRADED_EN = {
    "issue": "{place} issues {a} {level} for {kind}; {response} starts",
    "upgrade": "{place} raises the {kind} warning to {a} {level}; {response} starts",
    "downgrade": "{place} lowers the {kind} warning to {a} {level}; {response} applies",
    "extend": "{place} extends the {level} for {kind}; {response} continues",
    "lift": "{place} lifts the {level} for {kind}; {response} ends",
}
_UNGRADED_ZH = {
    "issue": "{place}发布{event}",
    "upgrade": "{place}{event}调整为{level}",
    "downgrade": "{place}{event}调整为{level}",
    "extend": "{place}{event}延长",
    "lift": "{place}解除{event}",
}
_UNGRADED_EN = {
    "issue": "{place} issues {a} {event}",
    "upgrade": "{place} changes the {event} to {level}",
    "downgrade": "{place} changes the {event} to {level}",
    "extend": "{place} extends the {event}",
    "lift": "{place} lifts the {event}",
}


def _lower_first(words: str) -> str:
    # "Yellow warning" → "yellow warning", but "SO2 …" and "PM2.5 …" keep their capitals.
    if len(words) > 1 and words[0].isupper() and words[1].islower():
        return words[0].lower() + words[1:]
    return words


def _article(words: str) -> str:
    return "an" if words[:1].lower() in ("a", "e", "i", "o", "u") else "a"
