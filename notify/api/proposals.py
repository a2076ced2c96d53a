"""JSON content of a revision turned into the domain's ProposalData.

Fields left out come from `base` (the current revision for a change, the draft itself for an
edit), as the console pre-fills its form; the domain then validates exactly as for the console.
A new step (`new_step`: its action) is the exception, as in the console: a headline left out is
the one of its own action and level, and the superseded step's consultation is not inherited.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify.api.errors import invalid
from notify.extensions import db
from notify.lifecycle.headlines import headline_for
from notify.lifecycle.proposals import ProposalData
from notify.models import ADVISORY_BLOCKS, AlertKind, Consultation, Revision, Township

_COPIED = (
    "headline_zh",
    "headline_en",
    "area_scope",
    "trend",
    "episode_start",
    "episode_end",
    "aqi_min",
    "aqi_max",
    "degree",
    "primary_pollutant",
    "response_start_at",
)


def proposal_data(
    kind: AlertKind, data: dict[str, Any], base: Revision | None, *, new_step: str | None = None
) -> ProposalData:
    errors: dict[str, Any] = {}
    level = base.level if base is not None else None
    if "level" in data:
        level = next((lv for lv in kind.levels if lv.code == data["level"]), None)
        if level is None:
            errors["level"] = _l("No level “%(code)s” in this alert kind.", code=data["level"])
    values = {
        name: (data[name] if name in data else getattr(base, name) if base is not None else None)
        for name in _COPIED
    }
    townships = list(base.townships) if base is not None else []
    if "townships" in data:
        codes = list(dict.fromkeys(data["townships"]))
        townships = (
            list(
                db.session.scalars(
                    select(Township).where(
                        Township.jurisdiction_id == kind.jurisdiction_id, Township.code.in_(codes)
                    )
                )
            )
            if codes
            else []
        )
        missing = set(codes) - {t.code for t in townships}
        if missing:
            errors["townships"] = _l("Unknown township code: %(codes)s.", codes=", ".join(sorted(missing)))
    if new_step is not None and level is not None:
        headline = headline_for(kind, new_step, level)
        values["headline_zh"] = data.get("headline_zh", headline.zh)
        values["headline_en"] = data.get("headline_en", headline.en)
    consultation = base.consultation if base is not None and new_step is None else None
    if "consultation_id" in data:
        cid = data["consultation_id"]
        consultation = db.session.get(Consultation, cid) if cid is not None else None
        if cid is not None and (consultation is None or consultation.jurisdiction_id != kind.jurisdiction_id):
            errors["consultation_id"] = _l("No such consultation.")
    if "advisories" in data:
        advisories = _advisories(data["advisories"])
    elif base is not None and level is not None and base.level_id == level.id:
        advisories = base.advisories
    else:
        advisories = None  # the level's own advice
    if errors:
        raise invalid(errors)
    return ProposalData(
        level=level,
        headline_zh=values["headline_zh"] or "",
        headline_en=values["headline_en"] or "",
        area_scope=values["area_scope"] or "county",
        townships=townships,
        trend=values["trend"] or "",
        episode_start=values["episode_start"],
        episode_end=values["episode_end"],
        aqi_min=values["aqi_min"],
        aqi_max=values["aqi_max"],
        degree=values["degree"] or "",
        primary_pollutant=values["primary_pollutant"] or "",
        response_start_at=values["response_start_at"],
        advisories=advisories,
        consultation=consultation,
    )


def _advisories(raw: dict | None) -> dict | None:
    if raw is None:
        return None
    return {
        block: [{"zh": p["zh"], "en": p.get("en", "")} for p in raw.get(block, [])]
        for block in ADVISORY_BLOCKS
    }
