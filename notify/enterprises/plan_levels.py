"""The measures of one plant's plan per response level, checked field by field.

A plan's `levels` hold, per response ("III", "II", "I"), what seed 001 §六(六) asks of a 一厂一策
plan: the measure text, the lines and processes to stop, the shares, the rotation batches (at most
3), the preparation time, the key indicators the enterprise shows when complying (expected power
and gas use …) and the people responsible for each process with their phones.

clean() takes what a form or a caller sent (strings or typed values alike) and returns the stored
shape, or every reason it refuses, keyed by field ("II.prep_hours", "I.responsible.0.phone"), so
that a form can show each next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from notify.channels import phone

MAX_PREP_HOURS = 72
MAX_ROTATION_BATCHES = 3  # 001 §六(六): 轮流停产批次不应超过3批
MAX_ROWS = 30  # indicators or responsible people of one level: more is a mistake, not a plan
MAX_TEXT = 4000
MAX_SHORT = 200
SHARES = ("stop_share", "limit_share")
ROW_FIELDS = {"indicators": ("name", "value", "unit"), "responsible": ("name", "phone", "duty")}
_PROCESS_SEPARATORS = re.compile(r"[,，、;；\n]+")


def split_processes(text: str | Iterable[str] | None) -> list[str]:
    """ "烧结，球团、焙烧" or a list → ["烧结", "球团", "焙烧"], blanks and repeats dropped."""
    if text is None:
        return []
    parts = _PROCESS_SEPARATORS.split(text) if isinstance(text, str) else [str(p) for p in text]
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


@dataclass
class Cleaned:
    levels: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)


def _number(raw: Any) -> float | None:
    """A finite number from a form string or a value; None for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace("，", ".")
        if not text or len(text) > 20:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    return value if value == value and abs(value) != float("inf") else None


def _tidy(value: float) -> int | float:
    return int(value) if value.is_integer() else round(value, 2)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _rows(raw: Any) -> list[Mapping[str, Any]]:
    if raw is None:
        return []
    if isinstance(raw, Mapping):  # {"0": {...}, "1": {...}} as a form parser may give
        raw = [raw[k] for k in sorted(raw, key=lambda k: (len(str(k)), str(k)))]
    if not isinstance(raw, list | tuple):
        return []
    return [r for r in raw if isinstance(r, Mapping)]


class _Level:
    """Cleans one response's measures; collects the reasons under "<response>.<field>"."""

    def __init__(self, response: str, raw: Mapping[str, Any], line_ids: set[int], errors: dict[str, Any]):
        self.response = response
        self.raw = raw
        self.line_ids = line_ids
        self.errors = errors

    def refuse(self, name: str, message: Any) -> None:
        self.errors.setdefault(f"{self.response}.{name}", message)

    def clean(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text(),
            "lines": self.lines(),
            "processes": split_processes(self.raw.get("processes"))[:50],
            "prep_hours": self.prep_hours(),
        }
        for name in SHARES:
            share = self.share(name)
            if share is not None:
                out[name] = share
        batches = self.rotation_batches()
        if batches is not None:
            out["rotation_batches"] = batches
        out["indicators"] = self.indicators()
        out["responsible"] = self.responsible()
        return out

    def text(self) -> str:
        text = str(self.raw.get("text") or "").strip()
        if len(text) > MAX_TEXT:
            self.refuse("text", _l("At most %(n)d characters.", n=MAX_TEXT))
        return text

    def lines(self) -> list[int]:
        raw = self.raw.get("lines") or []
        if isinstance(raw, str | int):
            raw = [raw]
        chosen: list[int] = []
        for item in raw:
            value = _number(item)
            if value is None or not value.is_integer() or int(value) not in self.line_ids:
                self.refuse("lines", _l("Line %(line)s is not one of this enterprise's lines.", line=item))
                continue
            if int(value) not in chosen:
                chosen.append(int(value))
        return chosen

    def prep_hours(self) -> int | float | None:
        raw = self.raw.get("prep_hours")
        if _blank(raw):
            self.refuse(
                "prep_hours", _l("Give the preparation time in hours (0 to %(max)d).", max=MAX_PREP_HOURS)
            )
            return None
        value = _number(raw)
        if value is None or not 0 <= value <= MAX_PREP_HOURS:
            self.refuse(
                "prep_hours",
                _l("The preparation time must be a number of hours from 0 to %(max)d.", max=MAX_PREP_HOURS),
            )
            return None
        return _tidy(value)

    def share(self, name: str) -> int | float | None:
        raw = self.raw.get(name)
        if _blank(raw):
            return None
        value = _number(raw)
        if value is None or not 0 <= value <= 100:
            self.refuse(name, _l("A share is a percentage from 0 to 100."))
            return None
        return _tidy(value)

    def rotation_batches(self) -> int | None:
        raw = self.raw.get("rotation_batches")
        if _blank(raw):
            return None
        value = _number(raw)
        if value is None or not value.is_integer() or not 1 <= value <= MAX_ROTATION_BATCHES:
            self.refuse(
                "rotation_batches",
                _l(
                    "A rotating stop runs in 1 to %(max)d batches (seed plan: no more than 3).",
                    max=MAX_ROTATION_BATCHES,
                ),
            )
            return None
        return int(value)

    def indicators(self) -> list[dict[str, Any]]:
        rows = []
        for i, row in enumerate(_rows(self.raw.get("indicators"))[: MAX_ROWS + 1]):
            name = str(row.get("name") or "").strip()[:MAX_SHORT]
            unit = str(row.get("unit") or "").strip()[:40]
            raw_value = row.get("value")
            if not name and _blank(raw_value) and not unit:
                continue
            if i >= MAX_ROWS:
                self.refuse("indicators", _l("At most %(n)d rows.", n=MAX_ROWS))
                break
            if not name:
                self.refuse(f"indicators.{i}.name", _l("Name the indicator (e.g. expected daily power use)."))
            value: Any = ""
            if not _blank(raw_value):
                number = _number(raw_value)
                if number is None or number < 0:
                    self.refuse(f"indicators.{i}.value", _l("The expected value is a number of 0 or more."))
                else:
                    value = _tidy(number)
            rows.append({"name": name, "value": value, "unit": unit})
        return rows

    def responsible(self) -> list[dict[str, str]]:
        rows = []
        for i, row in enumerate(_rows(self.raw.get("responsible"))[: MAX_ROWS + 1]):
            name = str(row.get("name") or "").strip()[:100]
            number = str(row.get("phone") or "").strip()
            duty = str(row.get("duty") or "").strip()[:MAX_SHORT]
            if not (name or number or duty):
                continue
            if i >= MAX_ROWS:
                self.refuse("responsible", _l("At most %(n)d rows.", n=MAX_ROWS))
                break
            if not name:
                self.refuse(f"responsible.{i}.name", _l("Give the responsible person's name."))
            try:
                number = phone.normalise(number)
            except phone.InvalidNumber:
                self.refuse(
                    f"responsible.{i}.phone",
                    _l("Not a mobile number: give it as 13800000000 or +8613800000000."),
                )
            rows.append({"name": name, "phone": number, "duty": duty})
        if not rows:
            self.refuse("responsible", _l("Name at least one responsible person with a phone."))
        return rows


def clean(levels: Any, *, responses: Iterable[str], line_ids: Iterable[int]) -> Cleaned:
    """Every level of `levels` checked against the responses the county's heavy-pollution
    warning has (its levels' numerals) and the enterprise's own lines."""
    allowed = tuple(responses)
    result = Cleaned()
    if not isinstance(levels, Mapping):
        result.errors["levels"] = _l("The plan's measures are missing.")
        return result
    ids = set(line_ids)
    for response, raw in levels.items():
        if response not in allowed:
            result.errors[str(response)] = _l(
                "The county's heavy-pollution warnings have no level %(level)s; a plan holds measures "
                "for %(levels)s only.",
                level=response,
                levels=" / ".join(allowed),
            )
            continue
        if not isinstance(raw, Mapping):
            result.errors[response] = _l("The measures of level %(level)s are missing.", level=response)
            continue
        result.levels[response] = _Level(response, raw, ids, result.errors).clean()
    for response in allowed:
        if response not in levels:
            result.errors.setdefault(
                response, _l("The plan has no measures for level %(level)s.", level=response)
            )
    # In the order of the county's levels, whatever order they came in.
    result.levels = {r: result.levels[r] for r in allowed if r in result.levels}
    return result
