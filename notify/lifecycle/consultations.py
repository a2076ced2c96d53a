"""Recording a consultation's conclusion (附件4) or a city notice: the console and the API both
come here, so that both obey the same rules and leave the same audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from notify import audit, clock
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted
from notify.lifecycle.transitions import OFFICE_ROLES
from notify.models import Consultation, User

SOURCES = ("consultation", "city_notice")


@dataclass
class ConsultationData:
    concluded_at: datetime
    conclusion: str
    reporter: str
    source: str = "consultation"
    reviewer: str = ""
    expert_opinion: str = ""
    forecast_daily_aqi: list[int] | None = None


def record_consultation(jurisdiction_id: int, data: ConsultationData, actor: User) -> Consultation:
    if actor.role not in OFFICE_ROLES:
        raise NotPermitted(_l("Only the command office records consultations."))
    if actor.jurisdiction_id != jurisdiction_id:
        raise NotPermitted(_l("That jurisdiction is not yours."))
    errors = {}
    if data.source not in SOURCES:
        errors["source"] = _l("Choose a forecast consultation or a city warning notice.")
    if data.concluded_at is None:
        errors["concluded_at"] = _l("This field is required.")
    for name, limit in (("conclusion", 4000), ("reporter", 100)):
        value = (getattr(data, name) or "").strip()
        if not value:
            errors[name] = _l("This field is required.")
        elif len(value) > limit:
            errors[name] = _l("At most %(n)d characters.", n=limit)
    forecast = data.forecast_daily_aqi or []
    if len(forecast) > 30 or any(not 0 <= v <= 9999 for v in forecast):
        errors["forecast_daily_aqi"] = _l("One AQI value (0–9999) per day, at most 30 days.")
    if errors:
        raise InvalidProposal(errors)
    c = Consultation(
        jurisdiction_id=jurisdiction_id,
        source=data.source,
        concluded_at=data.concluded_at,
        conclusion=data.conclusion.strip(),
        reporter=data.reporter.strip(),
        reviewer=(data.reviewer or "").strip(),
        expert_opinion=(data.expert_opinion or "").strip(),
        forecast_daily_aqi=list(forecast) or None,
        created_by=actor,
        created_at=clock.now(),
    )
    db.session.add(c)
    db.session.flush()
    audit.record("consultation.create", actor=actor, subject=c, summary=c.conclusion[:80])
    return c
