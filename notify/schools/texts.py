"""The texts schools, their duty contacts and their supervisors receive.

Rendered from notify/templates/messages/school_*_zh.txt (school contacts are reached in Chinese)
with the snapshot's headline and level and the frozen instructions only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template

from notify.schools.instructions import sentence
from notify.schools.registry import TYPE_ALIASES

# An SMS longer than this is cut: Aliyun refuses very long texts and a list nobody reads helps
# nobody; the console has the full list.
MAX_NAMES_CHARS = 300
_TYPE_ZH = {
    code: zh
    for zh, code in TYPE_ALIASES.items()
    if zh in ("幼儿园", "小学", "初中", "高中", "九年一贯制学校")
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _place(content: dict[str, Any]) -> str:
    return content["jurisdiction"]["name_zh"]


def measures(items: list[dict[str, Any]], *, with_types: bool = False) -> str:
    parts = []
    for i, item in enumerate(items, start=1):
        text = sentence(item)
        if with_types and item.get("types"):
            text += "（" + "、".join(_TYPE_ZH.get(t, t) for t in item["types"]) + "）"
        parts.append(f"{i}.{text}" if len(items) > 1 else text)
    return "；".join(parts)


def notice(content: dict[str, Any], *, school: str, items: list[dict[str, Any]], link: str | None) -> str:
    name = "school_notice_zh.txt" if link else "school_lift_zh.txt"
    return _one_line(
        render_template(
            f"messages/{name}",
            place=_place(content),
            school=school,
            headline=content["headline"]["zh"],
            measures=measures(items),
            link=link,
        )
    )


def robot(content: dict[str, Any], *, items: list[dict[str, Any]], ack: bool) -> str:
    return _one_line(
        render_template(
            "messages/school_robot_zh.txt",
            place=_place(content),
            headline=content["headline"]["zh"],
            measures=measures(items, with_types=True),
            ack=ack,
        )
    )


def _local(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def reminder(
    content: dict[str, Any],
    *,
    school: str,
    items: list[dict[str, Any]],
    link: str,
    sent: datetime,
    tz: ZoneInfo,
) -> str:
    return _one_line(
        render_template(
            "messages/school_reminder_zh.txt",
            place=_place(content),
            school=school,
            sent=_local(sent, tz),
            level=content["level"]["name_zh"],
            measures=measures(items),
            link=link,
        )
    )


def names_list(names: list[str]) -> str:
    """School names joined, cut with “等N所” once they would make the text too long."""
    shown, length = [], 0
    for name in names:
        if length + len(name) + 1 > MAX_NAMES_CHARS:
            break
        shown.append(name)
        length += len(name) + 1
    text = "、".join(shown)
    return text if len(shown) == len(names) else f"{text}等{len(names)}所"


def overview(townships: list[tuple[str, list[str]]]) -> str:
    """The bureau's list: per township its silent schools; only the counts if that is too long."""
    full = "；".join(f"{town}{len(names)}所（{'、'.join(names)}）" for town, names in townships)
    if len(full) <= MAX_NAMES_CHARS:
        return full
    return "；".join(f"{town}{len(names)}所" for town, names in townships) + "（名单见平台）"


def report(
    content: dict[str, Any],
    *,
    audience: str,
    names: str,
    count: int,
    sent: datetime,
    now: datetime,
    tz: ZoneInfo,
) -> str:
    return _one_line(
        render_template(
            "messages/school_report_zh.txt",
            place=_place(content),
            audience=audience,
            sent=_local(sent, tz),
            now=f"{now.astimezone(tz):%H:%M}",
            level=content["level"]["name_zh"],
            count=count,
            names=names,
        )
    )
