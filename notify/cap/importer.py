"""Importing a CAP 1.2 document (e.g. a city or provincial warning) as a draft revision.

The document is parsed with the hardened parser, validated against the OASIS schema, then mapped
onto this county's plan: the alert kind (eventCode `alertKind`, else the event's name), the level
(parameter `level`, else `levelName`, else the one level of the kind with that severity), the
area (GB/T 2260 geocodes of the county or its townships), times and text. Alert starts a new
warning; Update and Cancel continue the warning whose document they reference. Anything that does
not map is refused with a message saying what; nothing is ever published by an import: the draft
takes the normal approval path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from notify import audit
from notify.cap import NS
from notify.cap.document import GEOCODE, severity_of
from notify.cap.validation import CapError, NotXml, SchemaInvalid, UnsafeXml, validate
from notify.extensions import db
from notify.lifecycle.errors import LifecycleError
from notify.lifecycle.proposals import ProposalData, propose_change, propose_issue
from notify.models import AlertKind, CapImport, CapMessage, Jurisdiction, Level, Revision, Township, User

N = {"cap": NS}


class ImportRefused(ValueError):
    """A CAP file that cannot become a draft; str() says why, for the uploader."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


@dataclass
class Outcome:
    record: CapImport
    revision: Revision | None


def import_cap(
    data: bytes, *, filename: str, actor: User, max_bytes: int, confirm_overlap: bool = False
) -> Outcome:
    """Turn an uploaded CAP file into a draft, or refuse it. Either way the upload is recorded
    and audited in the caller's transaction (the caller commits). An Alert over an area where a
    warning of its kind is in force is refused unless `confirm_overlap`, as on the console's form."""
    record = CapImport(
        jurisdiction_id=actor.jurisdiction_id,
        uploaded_by_id=actor.id,
        filename=(filename or "")[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        outcome="rejected",
    )
    savepoint = db.session.begin_nested()
    try:
        revision = _import(data, record, actor, max_bytes, confirm_overlap)
        savepoint.commit()
    except ImportRefused as refused:
        savepoint.rollback()  # a half-made draft must not survive its refusal
        record.error = "\n".join([refused.message, *refused.details])[:20_000]
        db.session.add(record)
        audit.record(
            "cap.import_rejected",
            actor=actor,
            subject=record,
            summary=f"CAP {record.filename or '(no name)'}: {refused.message}"[:500],
            detail={
                "identifier": record.identifier,
                "sender": record.sender,
                "sha256": record.sha256,
                "errors": refused.details[:20],
            },
        )
        db.session.flush()
        raise
    record.outcome, record.revision_id = "drafted", revision.id
    db.session.add(record)
    db.session.flush()
    audit.record(
        "cap.import",
        actor=actor,
        subject=revision,
        warning_id=revision.warning_id,
        summary=f"CAP {record.identifier} → {revision.warning.reference} #{revision.sequence} "
        f"{revision.action} (draft)",
        detail={
            "identifier": record.identifier,
            "sender": record.sender,
            "sha256": record.sha256,
            "filename": record.filename,
        },
    )
    return Outcome(record, revision)


def _import(data: bytes, record: CapImport, actor: User, max_bytes: int, confirm_overlap: bool) -> Revision:
    if len(data) > max_bytes:
        raise ImportRefused(
            _("The file is larger than %(kb)d KB; a CAP document is much smaller.", kb=max_bytes // 1024)
        )
    try:
        root = validate(data)
    except UnsafeXml:
        raise ImportRefused(
            _("The file declares a DTD or entities, which a CAP document never needs; it was not read.")
        ) from None
    except NotXml as exc:
        raise ImportRefused(_("The file is not well-formed XML."), [str(exc)]) from None
    except SchemaInvalid as exc:
        raise ImportRefused(
            _("The file is not a valid CAP 1.2 document (OASIS schema):"), exc.errors[:50]
        ) from None
    except CapError as exc:  # pragma: no cover - every CapError is one of the above
        raise ImportRefused(str(exc)) from None

    header = {
        name: (root.findtext(f"cap:{name}", namespaces=N) or "").strip()
        for name in ("identifier", "sender", "sent", "status", "msgType", "references")
    }
    record.identifier, record.sender = header["identifier"][:200], header["sender"][:200]
    record.msg_type = header["msgType"][:20]
    if header["status"] not in ("Actual", "Exercise"):
        raise ImportRefused(
            _("Only Actual or Exercise documents can be imported, not “%(status)s”.", status=header["status"])
        )
    if header["msgType"] not in ("Alert", "Update", "Cancel"):
        raise ImportRefused(_("A “%(type)s” message carries no warning to draft.", type=header["msgType"]))
    _refuse_duplicates(record)

    infos = root.findall("cap:info", N)
    if not infos:
        raise ImportRefused(_("The document has no <info> block to draft from."))
    zh = _info_for(infos, "zh")
    if zh is None:
        zh = infos[0]
    en = _info_for(infos, "en")
    kind = _kind(actor.jurisdiction_id, zh, en)
    level = _level(kind, zh, en)
    data_ = _proposal(kind, level, zh, en, actor.jurisdiction_id)
    try:
        if header["msgType"] == "Alert":
            revision = propose_issue(
                kind,
                data_,
                actor,
                exercise=header["status"] == "Exercise",
                confirm_overlap=confirm_overlap,
            )
        else:
            warning = _referenced_warning(header["references"], actor.jurisdiction_id)
            if warning.kind_id != kind.id:
                raise ImportRefused(
                    _(
                        "The document continues a warning of another alert kind (%(kind)s).",
                        kind=warning.kind.name_zh,
                    )
                )
            if warning.is_exercise != (header["status"] == "Exercise"):
                raise ImportRefused(_("An exercise and a real warning cannot continue each other."))
            action = "lift" if header["msgType"] == "Cancel" else _change(warning, level)
            if action == "lift":
                data_.level = warning.current.level if warning.current else level
            revision = propose_change(warning, action, data_, actor)
    except LifecycleError as exc:
        raise ImportRefused(_("The document cannot become a draft:"), _lifecycle_messages(exc)) from None
    return revision


def _lifecycle_messages(exc: LifecycleError) -> list[str]:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        return [f"{field}: {message}" for field, message in errors.items()]
    return [str(exc)]


def _refuse_duplicates(record: CapImport) -> None:
    if not record.identifier:
        return
    if db.session.scalar(select(CapMessage.id).where(CapMessage.identifier == record.identifier)):
        raise ImportRefused(
            _("This is a document this platform published itself (%(id)s).", id=record.identifier)
        )
    earlier = db.session.scalar(
        select(CapImport).where(
            CapImport.identifier == record.identifier,
            CapImport.sender == record.sender,
            CapImport.outcome == "drafted",
        )
    )
    if earlier is not None:
        raise ImportRefused(
            _(
                "This document (%(id)s) was already imported on %(when)s.",
                id=record.identifier,
                when=earlier.uploaded_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        )


def _info_for(infos, prefix: str):
    for info in infos:
        language = (info.findtext("cap:language", namespaces=N) or "en-US").strip().lower()
        if language.startswith(prefix):
            return info
    return None


def _text(info, name: str) -> str:
    return (info.findtext(f"cap:{name}", namespaces=N) or "").strip() if info is not None else ""


def _pairs(info, element: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if info is None:
        return out
    for item in info.findall(f"cap:{element}", N):
        name = (item.findtext("cap:valueName", namespaces=N) or "").strip()
        if name and name not in out:
            out[name] = (item.findtext("cap:value", namespaces=N) or "").strip()
    return out


def _kind(jurisdiction_id: int, zh, en) -> AlertKind:
    kinds = list(db.session.scalars(select(AlertKind).where(AlertKind.jurisdiction_id == jurisdiction_id)))
    code = _pairs(zh, "eventCode").get("alertKind") or _pairs(en, "eventCode").get("alertKind")
    if code:
        for kind in kinds:
            if kind.code == code:
                return kind
    events = {_text(zh, "event"), _text(en, "event")} - {""}
    for kind in kinds:
        names = {kind.cap_event_zh, kind.cap_event_en, kind.name_zh, kind.name_en} - {""}
        if events & names:
            return kind
    raise ImportRefused(
        _(
            "The event “%(event)s” is not an alert kind of this county. Known events: %(known)s.",
            event=" / ".join(sorted(events)) or code or "?",
            known="、".join(k.cap_event_zh or k.name_zh for k in kinds),
        )
    )


def _level(kind: AlertKind, zh, en) -> Level:
    params = {**_pairs(en, "parameter"), **_pairs(zh, "parameter")}
    levels = list(kind.levels)
    if params.get("level"):
        for level in levels:
            if level.code == params["level"]:
                return level
    if params.get("levelName"):
        for level in levels:
            if params["levelName"] in (level.name_zh, level.name_en):
                return level
    severity = _text(zh, "severity") or _text(en, "severity")
    kind_data = {"graded": kind.graded}
    matching = [
        lv for lv in levels if severity_of(kind_data, {"code": lv.code, "colour": lv.colour}) == severity
    ]
    if len(matching) == 1 and not params.get("level") and not params.get("levelName"):
        return matching[0]
    raise ImportRefused(
        _(
            "No level of “%(kind)s” matches (level “%(level)s”, severity %(severity)s). "
            "Levels of this kind: %(known)s.",
            kind=kind.name_zh,
            level=params.get("level") or params.get("levelName") or "-",
            severity=severity or "-",
            known="、".join(f"{lv.name_zh} ({lv.code})" for lv in levels),
        )
    )


def _area(info_list, jurisdiction_id: int) -> tuple[str, list[Township]]:
    county = db.session.get_one(Jurisdiction, jurisdiction_id)
    townships = {t.code: t for t in county.townships}
    codes: list[str] = []
    for info in info_list:
        if info is None:
            continue
        for area in info.findall("cap:area", N):
            for geocode in area.findall("cap:geocode", N):
                value = (geocode.findtext("cap:value", namespaces=N) or "").strip()
                if value and value not in codes:
                    codes.append(value)
    if not codes:
        raise ImportRefused(
            _(
                "The document's area has no geocode; give the GB/T 2260 code of the "
                "county or of its townships (valueName “%(name)s”).",
                name=GEOCODE,
            )
        )
    unknown = [c for c in codes if c != county.code and c not in townships]
    if unknown:
        raise ImportRefused(
            _(
                "Geocode %(codes)s is neither %(county)s (%(code)s) nor one of its townships.",
                codes=", ".join(unknown),
                county=county.name_zh,
                code=county.code,
            )
        )
    if county.code in codes:
        return "county", []
    return "townships", [townships[c] for c in codes]


def _time(info, name: str) -> datetime | None:
    value = _text(info, name)
    return datetime.fromisoformat(value) if value else None  # the schema checked the format


def _proposal(kind: AlertKind, level: Level, zh, en, jurisdiction_id: int) -> ProposalData:
    params = {**_pairs(en, "parameter"), **_pairs(zh, "parameter")}
    scope, towns = _area([zh, en], jurisdiction_id)
    headline_zh = _text(zh, "headline") or _text(en, "headline") or f"{kind.name_zh}{level.name_zh}"
    aqi_min = aqi_max = None
    if "-" in params.get("aqiRange", ""):
        low, high = params["aqiRange"].split("-", 1)
        aqi_min = int(low) if low.strip().isdigit() else None
        aqi_max = int(high) if high.strip().isdigit() else None
    return ProposalData(
        level=level,
        headline_zh=headline_zh[:200],
        headline_en=_text(en, "headline")[:300],
        area_scope=scope,
        townships=towns,
        trend=_text(zh, "description") or _text(en, "description"),
        episode_start=_time(zh, "onset"),
        episode_end=_time(zh, "expires"),
        response_start_at=_time(zh, "effective"),
        aqi_min=aqi_min,
        aqi_max=aqi_max,
        primary_pollutant=params.get("primaryPollutant", "")[:50],
    )


def _referenced_warning(references: str, jurisdiction_id: int):
    identifiers = []
    for triple in references.split():
        parts = triple.split(",")
        if len(parts) == 3:
            identifiers.append(parts[1])
    if not identifiers:
        raise ImportRefused(
            _(
                "An Update or Cancel must reference the document it continues "
                "(<references>: sender,identifier,sent)."
            )
        )
    for identifier in reversed(identifiers):
        message = db.session.scalar(select(CapMessage).where(CapMessage.identifier == identifier))
        if message is not None and message.revision.warning.jurisdiction_id == jurisdiction_id:
            return message.revision.warning
        imported = db.session.scalar(
            select(CapImport).where(
                CapImport.identifier == identifier,
                CapImport.outcome == "drafted",
                CapImport.jurisdiction_id == jurisdiction_id,
            )
        )
        if imported is not None and imported.revision is not None:
            return imported.revision.warning
    raise ImportRefused(
        _(
            "The document continues %(ids)s, which this platform has not published or imported.",
            ids=", ".join(identifiers),
        )
    )


def _change(warning, level: Level) -> str:
    current = warning.current
    if current is None:
        raise ImportRefused(_("The warning it continues has not been published yet."))
    if level.rank > current.level.rank:
        return "upgrade"
    if level.rank < current.level.rank:
        return "downgrade"
    return "extend"
