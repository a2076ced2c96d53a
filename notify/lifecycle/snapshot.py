"""Freezing a revision's content at approval.

The snapshot holds everything a channel needs, so that nothing edited later (a level's advice,
a township's name) can change what was approved. Channel texts are rendered here, once, from
the snapshot's own fields through the message templates.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import render_template

from notify.models import Revision, Snapshot, User

SCHEMA_VERSION = 1


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def content_of(
    revision: Revision,
    *,
    approver: User,
    now: datetime,
    audience: int,
    audience_print: dict[str, Any] | None = None,
    school_instructions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    warning, level, kind = revision.warning, revision.level, revision.warning.kind
    jurisdiction = warning.jurisdiction
    supersedes = revision.supersedes
    return {
        "schema": SCHEMA_VERSION,
        "warning": {"id": warning.id, "reference": warning.reference},
        "revision": {
            "id": revision.id,
            "sequence": revision.sequence,
            "action": revision.action,
            "supersedes": (
                {"id": supersedes.id, "sequence": supersedes.sequence, "level": supersedes.level.code}
                if supersedes
                else None
            ),
        },
        "jurisdiction": {
            "code": jurisdiction.code,
            "name_zh": jurisdiction.name_zh,
            "name_en": jurisdiction.name_en,
            "timezone": jurisdiction.timezone,
        },
        "kind": {
            "code": kind.code,
            "name_zh": kind.name_zh,
            "name_en": kind.name_en,
            "graded": kind.graded,
            "cap_category": kind.cap_category,
            "cap_event_zh": kind.cap_event_zh,
            "cap_event_en": kind.cap_event_en,
        },
        "level": {
            "code": level.code,
            "rank": level.rank,
            "name_zh": level.name_zh,
            "name_en": level.name_en,
            "numeral": level.numeral,
            "colour": level.colour,
            "response_level_zh": level.response_level_zh,
            "response_level_en": level.response_level_en,
            "cap_severity": level.cap_severity,
        },
        "headline": {"zh": revision.headline_zh, "en": revision.headline_en},
        "area": {
            "scope": revision.area_scope,
            "townships": [
                {"code": t.code, "name_zh": t.name_zh, "name_en": t.name_en} for t in revision.townships
            ]
            if revision.area_scope == "townships"
            else [],
        },
        "content": {
            "trend": revision.trend,
            "episode_start": _iso(revision.episode_start),
            "episode_end": _iso(revision.episode_end),
            "aqi_min": revision.aqi_min,
            "aqi_max": revision.aqi_max,
            "degree": revision.degree,
            "primary_pollutant": revision.primary_pollutant,
            "response_start_at": _iso(revision.response_start_at),
        },
        "advisories": revision.advisories or {},
        # What schools must do at this level (or on lifting), as the data said at approval.
        "school_instructions": school_instructions or [],
        "approved": {"by": approver.display_name, "role": approver.role, "at": _iso(now)},
        # An exercise (演练): CAP status Exercise, every text marked, the public shown nothing.
        "exercise": bool(getattr(warning, "is_exercise", False)),
        "audience_size": audience,
        # Who exactly the approver confirmed (notify.audience_approval), checked before publishing.
        "audience": audience_print,
    }


def render_texts(content: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per-channel texts. Later channels add their own templates here; each reads only `content`."""
    return {
        "sms": {
            lang: " ".join(render_template(f"messages/sms_{lang}.txt", s=content).split())
            for lang in ("zh", "en")
        },
        "robot": robot_markdown(content),
    }


def robot_markdown(content: dict[str, Any]) -> dict[str, str]:
    """Group robots' markdown (WeCom, DingTalk, Feishu); each sender fits it to its size limit.

    Also used at send time for snapshots frozen before robots had a text of their own."""
    return {lang: render_template(f"messages/robot_{lang}.md", s=content).strip() for lang in ("zh", "en")}


EXERCISE_MARK = {"zh": "【演练】", "en": "[EXERCISE] "}


def mark_exercise(texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Every channel's text of an exercise starts with the drill mark, in its language."""
    return {
        channel: {lang: EXERCISE_MARK.get(lang, EXERCISE_MARK["zh"]) + text for lang, text in by_lang.items()}
        for channel, by_lang in texts.items()
    }


def freeze(
    revision: Revision,
    *,
    approver: User,
    now: datetime,
    audience: int,
    audience_print: dict[str, Any] | None = None,
    school_instructions: list[dict[str, Any]] | None = None,
) -> Snapshot:
    content = content_of(
        revision,
        approver=approver,
        now=now,
        audience=audience,
        audience_print=audience_print,
        school_instructions=school_instructions,
    )
    content["texts"] = render_texts(content)
    if content["exercise"]:
        content["texts"] = mark_exercise(content["texts"])
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    snapshot = Snapshot(content=content, digest=hashlib.sha256(encoded).hexdigest(), frozen_at=now)
    revision.snapshot = snapshot
    return snapshot
