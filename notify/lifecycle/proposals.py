"""Drafting revisions: a new warning's first issue, and upgrade / downgrade / extend / lift.

Validation lives here, not in the forms, so the console, the future API and CAP import all
obey the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from notify import audit, clock
from notify.extensions import db
from notify.lifecycle import overlaps
from notify.lifecycle.errors import (
    InvalidProposal,
    NotPermitted,
    OverlapNotConfirmed,
    StaleForm,
    TransitionNotAllowed,
)
from notify.lifecycle.transitions import EDITABLE, OFFICE_ROLES
from notify.models import (
    ADVISORY_BLOCKS,
    AlertKind,
    Consultation,
    Level,
    Revision,
    Township,
    User,
    Warning,
)

CHANGE_ACTIONS = ("upgrade", "downgrade", "extend", "lift")
REVISION_ACTIONS = ("issue",) + CHANGE_ACTIONS


@dataclass
class ProposalData:
    level: Level | None
    headline_zh: str
    headline_en: str = ""
    area_scope: str = "county"
    townships: list[Township] = field(default_factory=list)
    trend: str = ""
    episode_start: datetime | None = None
    episode_end: datetime | None = None
    aqi_min: int | None = None
    aqi_max: int | None = None
    degree: str = ""
    primary_pollutant: str = ""
    response_start_at: datetime | None = None
    advisories: dict[str, list[dict[str, str]]] | None = None
    consultation: Consultation | None = None


def _require_office(actor: User) -> None:
    if actor.role not in OFFICE_ROLES:
        raise NotPermitted(_l("Only the command office drafts warnings."))


def _validate(kind: AlertKind, action: str, data: ProposalData, current: Revision | None) -> None:
    errors: dict[str, Any] = {}
    if data.level is None or data.level.kind_id != kind.id:
        errors["level"] = _l("Choose a level of this alert kind.")
    _check_headline(data, errors)
    _check_area(kind, data, errors)
    _check_figures(data, errors)
    _check_consultation(kind, data, current, errors)
    if data.advisories is not None:
        if not isinstance(data.advisories, dict) or set(data.advisories) - set(ADVISORY_BLOCKS):
            errors["advisories"] = _l("Unknown advisory block.")
    if current is not None:
        _check_step(action, data, current, errors)
    if errors:
        raise InvalidProposal(errors)


def _check_headline(data: ProposalData, errors: dict[str, Any]) -> None:
    headline = (data.headline_zh or "").strip()
    if not headline:
        errors["headline_zh"] = _l("A headline is required.")
    elif len(headline) > 200:
        errors["headline_zh"] = _l("The headline is longer than 200 characters.")


def _check_area(kind: AlertKind, data: ProposalData, errors: dict[str, Any]) -> None:
    if data.area_scope not in ("county", "townships"):
        errors["area_scope"] = _l("Choose the whole county or some townships.")
    elif data.area_scope == "townships":
        if not data.townships:
            errors["townships"] = _l("Choose at least one township.")
        elif any(t.jurisdiction_id != kind.jurisdiction_id for t in data.townships):
            errors["townships"] = _l("A township is not in this jurisdiction.")


def _check_figures(data: ProposalData, errors: dict[str, Any]) -> None:
    """The AQI range and the episode's times."""
    for name in ("aqi_min", "aqi_max"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 2000:
            errors[name] = _l("AQI must be between 0 and 2000.")
    if data.aqi_min is not None and data.aqi_max is not None and data.aqi_min > data.aqi_max:
        errors["aqi_max"] = _l("The upper AQI is below the lower one.")
    if data.episode_start and data.episode_end and data.episode_end < data.episode_start:
        errors["episode_end"] = _l("The episode ends before it starts.")


def _check_consultation(
    kind: AlertKind, data: ProposalData, current: Revision | None, errors: dict[str, Any]
) -> None:
    consultation = data.consultation
    if consultation is None:
        return
    if consultation.jurisdiction_id != kind.jurisdiction_id:
        errors["consultation"] = _l("That consultation belongs to another jurisdiction.")
        return
    if current is None:
        return
    # A step published on that consultation has used it up: the next step needs its own,
    # or its 1-hour approval-form clock would have run out before the draft existed.
    used = next(
        (
            r
            for r in current.warning.revisions
            if r.state == "published" and r.consultation_id == consultation.id
        ),
        None,
    )
    if used is not None:
        errors["consultation"] = _l(
            "That consultation led to step #%(n)d, which is published; record the new "
            "consultation for this step.",
            n=used.sequence,
        )


def _check_step(action: str, data: ProposalData, current: Revision, errors: dict[str, Any]) -> None:
    """The level and end a change needs relative to the revision in force."""
    level = data.level
    if level is not None and "level" not in errors:
        rank, now_rank = level.rank, current.level.rank
        if action == "upgrade" and rank <= now_rank:
            errors["level"] = _l("An upgrade needs a higher level than the current one.")
        elif action == "downgrade" and rank >= now_rank:
            errors["level"] = _l("A downgrade needs a lower level than the current one.")
        elif action in ("extend", "lift") and level.id != current.level_id:
            errors["level"] = _l("An extension or lifting keeps the current level.")
    if action == "extend" and data.episode_end is None:
        errors["episode_end"] = _l("An extension needs the new end of the episode.")


def _check_overlap(
    kind: AlertKind,
    data: ProposalData,
    *,
    exercise: bool,
    confirmed: bool,
    known: list[Warning] | None = None,
) -> list[Warning]:
    """The warnings in force that the proposed area overlaps; refused unless confirmed or known."""
    found = overlaps.overlapping(kind, data.area_scope, data.townships, exercise=exercise)
    new = [w for w in found if known is None or w not in known]
    if new and not confirmed:
        raise OverlapNotConfirmed(
            _l(
                "A warning of this kind is already in force over an overlapping area (%(refs)s). "
                "Confirm that a second warning is meant, or change the existing one instead.",
                refs=", ".join(w.reference for w in new),
            ),
            new,
        )
    return found


def _overlap_detail(overlapped: list[Warning]) -> dict[str, list[str]]:
    return {"overlap_confirmed": [w.reference for w in overlapped]} if overlapped else {}


def _apply(revision: Revision, data: ProposalData) -> None:
    level = data.level
    assert level is not None  # _validate() refused a proposal without one
    revision.level = level
    revision.headline_zh = data.headline_zh.strip()
    revision.headline_en = (data.headline_en or "").strip()
    revision.area_scope = data.area_scope
    revision.townships = list(data.townships) if data.area_scope == "townships" else []
    revision.trend = data.trend.strip()
    revision.episode_start = data.episode_start
    revision.episode_end = data.episode_end
    revision.aqi_min = data.aqi_min
    revision.aqi_max = data.aqi_max
    revision.degree = data.degree.strip()
    revision.primary_pollutant = data.primary_pollutant.strip()
    revision.response_start_at = data.response_start_at
    revision.advisories = data.advisories if data.advisories is not None else level.advisory_blocks()
    revision.consultation = data.consultation


def _next_reference(kind: AlertKind, now: datetime) -> str:
    prefix = f"{kind.jurisdiction.code}-{now.year}-"
    count = db.session.scalar(
        select(func.count()).select_from(Warning).where(Warning.reference.like(prefix + "%"))
    )
    return f"{prefix}{(count or 0) + 1:03d}"


def propose_issue(
    kind: AlertKind,
    data: ProposalData,
    author: User,
    now: datetime | None = None,
    *,
    exercise: bool = False,
    confirm_overlap: bool = False,
) -> Revision:
    """A new warning and its first revision, as a draft; an exercise (演练) if `exercise`.

    A warning of the same kind in force over an overlapping area refuses it unless
    `confirm_overlap`; the confirmation is kept in the audit event.
    """
    _require_office(author)
    if author.jurisdiction_id != kind.jurisdiction_id:
        raise NotPermitted(_l("That alert kind belongs to another jurisdiction."))
    _validate(kind, "issue", data, None)
    overlapped = _check_overlap(kind, data, exercise=exercise, confirmed=confirm_overlap)
    now = now or clock.now()
    warning = Warning(
        jurisdiction_id=kind.jurisdiction_id,
        kind=kind,
        reference=_next_reference(kind, now),
        created_at=now,
        is_exercise=exercise,
    )
    revision = Revision(sequence=1, action="issue", state="draft", author=author, created_at=now)
    _apply(revision, data)
    warning.revisions.append(revision)
    db.session.add(warning)
    db.session.flush()
    audit.record(
        "revision.draft",
        actor=author,
        subject=revision,
        warning_id=warning.id,
        summary=f"{warning.reference} #1 issue ({revision.level.code})"
        + (" 演练 exercise" if exercise else ""),
        detail={"exercise": exercise, **_overlap_detail(overlapped)},
        at=now,
    )
    return revision


def propose_change(
    warning: Warning, action: str, data: ProposalData, author: User, now: datetime | None = None
) -> Revision:
    """A draft that upgrades, downgrades, extends or lifts the warning's published state."""
    _require_office(author)
    if action not in CHANGE_ACTIONS:
        raise InvalidProposal({"action": _l("Unknown kind of change.")})
    current = warning.current
    if warning.status != "active" or current is None:
        raise TransitionNotAllowed(_l("Only a published, unlifted warning can be changed."))
    open_one = warning.open_proposal
    if open_one is not None:
        raise TransitionNotAllowed(
            _l(
                "Revision #%(n)d of this warning is still open; finish or reject it first.",
                n=open_one.sequence,
            )
        )
    if action == "lift":
        data.level = current.level  # lifting keeps the level, so its approver decides (§4.4)
    _validate(warning.kind, action, data, current)
    now = now or clock.now()
    revision = Revision(
        sequence=len(warning.revisions) + 1,
        action=action,
        state="draft",
        author=author,
        created_at=now,
        supersedes=current,
    )
    _apply(revision, data)
    warning.revisions.append(revision)
    db.session.flush()
    audit.record(
        "revision.draft",
        actor=author,
        subject=revision,
        warning_id=warning.id,
        summary=f"{warning.reference} #{revision.sequence} {action} ({revision.level.code})",
        at=now,
    )
    return revision


def edit_draft(
    revision: Revision, data: ProposalData, actor: User, *, version: int, confirm_overlap: bool = False
) -> Revision:
    _require_office(actor)
    if version != revision.version:
        raise StaleForm(
            _l(
                "This proposal was changed by someone else after you opened it. "
                "Reload the page and check it again."
            )
        )
    if revision.state not in EDITABLE:
        raise TransitionNotAllowed(_l("Only a draft or a returned revision can be edited."))
    if revision.action == "lift":
        data.level = revision.level
    kind = revision.warning.kind
    _validate(kind, revision.action, data, revision.supersedes)
    overlapped: list[Warning] = []
    if revision.action == "issue":
        # Only an area that overlaps more than before asks again: the first save was confirmed.
        exercise = revision.warning.is_exercise
        before = overlaps.overlapping(kind, revision.area_scope, revision.townships, exercise=exercise)
        overlapped = _check_overlap(kind, data, exercise=exercise, confirmed=confirm_overlap, known=before)
    _apply(revision, data)
    audit.record(
        "revision.edit",
        actor=actor,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"{revision.warning.reference} #{revision.sequence} edited",
        detail=_overlap_detail(overlapped),
    )
    return revision
