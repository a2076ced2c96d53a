"""Models as the API's JSON, shaped exactly as notify.api.schemas describes them.

`internal` is whether the token may see what is not published (the read_drafts or draft scope):
without it a reader gets published revisions only, without the approval form (the leaders'
opinions) and without console users.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from notify.audience import audience_size
from notify.models import (
    AlertKind,
    ApprovalForm,
    Consultation,
    Integration,
    Level,
    Revision,
    Township,
    User,
    Warning,
)


def when(value: datetime | None) -> str | None:
    """Times are stored in UTC and given with the jurisdiction's offset (+08:00)."""
    if value is None:
        return None
    local = value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    offset = local.utcoffset()
    assert offset is not None  # astimezone() always gives an aware time
    # RFC 3339 offsets are whole minutes; a zone's local mean time before 1900 is not.
    return (local if offset.seconds % 60 == 0 else value.astimezone(UTC)).isoformat()


def user_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"username": user.username, "display_name": user.display_name, "role": user.role}


def level_ref(level: Level) -> dict:
    return {
        "code": level.code,
        "rank": level.rank,
        "name_zh": level.name_zh,
        "name_en": level.name_en,
        "colour": level.colour,
    }


def level(lv: Level) -> dict:
    return {
        **level_ref(lv),
        "numeral": lv.numeral,
        "response_level_zh": lv.response_level_zh,
        "response_level_en": lv.response_level_en,
        "approver_role": lv.approver_role,
        "cap_severity": lv.cap_severity,
    }


def kind(k: AlertKind) -> dict:
    return {
        "code": k.code,
        "name_zh": k.name_zh,
        "name_en": k.name_en,
        "graded": k.graded,
        "levels": [level(lv) for lv in k.levels],
    }


def township(t: Township) -> dict:
    return {"code": t.code, "name_zh": t.name_zh, "name_en": t.name_en}


def integration(i: Integration) -> dict:
    return {"name": i.name, "scopes": list(i.scopes or []), "acting_user": user_ref(i.acting_user)}


def consultation(c: Consultation) -> dict:
    return {
        "id": c.id,
        "source": c.source,
        "concluded_at": when(c.concluded_at),
        "conclusion": c.conclusion,
        "reporter": c.reporter,
        "reviewer": c.reviewer,
        "expert_opinion": c.expert_opinion,
        "forecast_daily_aqi": list(c.forecast_daily_aqi) if c.forecast_daily_aqi else None,
        "created_at": when(c.created_at),
        "created_by": user_ref(c.created_by),
    }


def revision_summary(r: Revision) -> dict:
    return {
        "id": r.id,
        "warning_id": r.warning_id,
        "warning_reference": r.warning.reference,
        "sequence": r.sequence,
        "action": r.action,
        "state": r.state,
        "level": level_ref(r.level),
        "headline_zh": r.headline_zh,
        "headline_en": r.headline_en,
        "supersedes_id": r.supersedes_id,
        "version": r.version,
        "created_at": when(r.created_at),
        "submitted_at": when(r.submitted_at),
        "decided_at": when(r.decided_at),
        "published_at": when(r.published_at),
    }


def approval_form(f: ApprovalForm | None) -> dict | None:
    if f is None:
        return None
    return {
        "level_label": f.level_label,
        "planned_publish_at": when(f.planned_publish_at),
        "basis": f.basis,
        "main_content": f.main_content,
        "department_opinion": f.department_opinion,
        "filed_by": user_ref(f.filed_by),
        "filed_at": when(f.filed_at),
        "decision": f.decision,
        "leader_opinion": f.leader_opinion,
        "decided_by": user_ref(f.decided_by),
        "decided_at": when(f.decided_at),
        "audience_size_confirmed": f.audience_size_confirmed,
    }


def _advisories(raw) -> dict:
    # Stored JSON written by the console or the API: paragraphs of {"zh", "en"} text per block.
    out = {}
    for block, paragraphs in (raw or {}).items():
        out[block] = [{k: str(v) for k, v in p.items()} for p in paragraphs or [] if isinstance(p, dict)]
    return out


def revision(r: Revision, *, internal: bool = True) -> dict:
    snap = r.snapshot
    size = snap.content.get("audience_size", 0) if snap is not None else audience_size(r)
    people = user_ref if internal else lambda _user: None
    return {
        **revision_summary(r),
        "area_scope": r.area_scope,
        "townships": [township(t) for t in r.townships],
        "trend": r.trend,
        "episode_start": when(r.episode_start),
        "episode_end": when(r.episode_end),
        "aqi_min": r.aqi_min,
        "aqi_max": r.aqi_max,
        "degree": r.degree,
        "primary_pollutant": r.primary_pollutant,
        "response_start_at": when(r.response_start_at),
        "advisories": _advisories(r.advisories),
        "consultation_id": r.consultation_id,
        "author": people(r.author),
        "submitted_by": people(r.submitted_by),
        "decided_by": people(r.decided_by),
        "published_by": people(r.published_by),
        "approval_form": approval_form(r.approval_form) if internal else None,
        "audience_size": int(size or 0),
        "snapshot": (
            {"digest": snap.digest, "frozen_at": when(snap.frozen_at), "content": snap.content}
            if snap is not None
            else None
        ),
    }


def warning_summary(w: Warning, *, internal: bool = True) -> dict:
    current, open_one = w.current, w.open_proposal if internal else None
    return {
        "id": w.id,
        "reference": w.reference,
        "kind": w.kind.code,
        "status": w.status,
        "is_exercise": w.is_exercise,
        "created_at": when(w.created_at),
        "current": revision_summary(current) if current else None,
        "open_proposal": revision_summary(open_one) if open_one else None,
    }


def warning(w: Warning, *, internal: bool = True) -> dict:
    return {
        **warning_summary(w, internal=internal),
        "revisions": [revision_summary(r) for r in w.revisions if internal or r.state == "published"],
    }
