"""Each enterprise duty's SMS, written after the publication's commit by the executors, in chunks.

The publish transaction writes the duties set-based and within its budget (notify.enterprises.
duties.write_for); what grows with the number of enterprises is left to this module, as the
public audience is left to notify.dispatch.plans: each enterprise's own text with its own signed
link (/d/<token>, notify.ack_links) and its expected daily reduction (notify.enterprises.
reduction, on its emitting lines). EnterpriseDuty.notified_at marks a duty whose SMS is written;
the partial index ix_enterprise_duties_unnotified holds those still to do, in id order.

write_next() runs at the start of every executor round (registered with notify.dispatch.
after_publication by the app factory). In ONE transaction it takes the next `chunk` duties not
yet notified (PostgreSQL locks them, skipping rows another worker holds: FOR UPDATE SKIP LOCKED),
marks them with one UPDATE that matches only rows still un-notified (SQLite's single writer makes
it exclusive), fills in their reduction and writes their SMS at the responders' priority. Hence:

- idempotent: a duty marked is not taken again, and should a chunk be written twice its
  deliveries are not: ON CONFLICT DO NOTHING on the deliveries' unique key (revision, channel,
  address, purpose), which also keeps one SMS per phone where two enterprises share an officer;
- resumable: a worker killed mid-chunk committed nothing, so its duties are still un-notified
  and the next round takes them;
- a duty superseded (a newer revision of the warning came first) or whose revision's episode is
  over is marked without an SMS: it must not be sent. Its reduction is still filled in, for the
  record of what that step ordered. A release outlives the warning it ends and is always sent.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, bindparam, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from notify.ack_links import ENTERPRISE_DUTY
from notify.dispatch.after_publication import Writer
from notify.enterprises import messages, reduction
from notify.enterprises.duties import DUTY, RELEASE, RESPONSE_ZH
from notify.enterprises.measures import Action
from notify.extensions import db
from notify.models import Delivery, Enterprise, EnterpriseDuty, ProductionLine, Revision
from notify.models.enterprises import POLLUTANTS

log = logging.getLogger(__name__)

_DUTIES = EnterpriseDuty.__table__
# The partial index's own term, written out: a bound parameter would hide the index.
_UNNOTIFIED: ColumnElement[Any] = literal_column("notified_at IS NULL")
# A duty as the chunk reads it (the columns of _write_chunk's SELECT).
DutyRow = Any


def pending() -> int:
    """Duties whose SMS is still to be written."""
    return int(db.session.scalar(select(func.count()).select_from(_DUTIES).where(_UNNOTIFIED)) or 0)


def write_next(worker: str, now: datetime, *, chunk: int) -> int:
    """Take the next `chunk` un-notified duties and write their SMS, in one transaction that
    commits. Returns how many duties it took (0: none left)."""
    try:
        taken = _write_chunk(now, chunk)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if taken:
        log.debug("%s: %d enterprise duty notices", worker, taken)
    return taken


def next_chunk(worker: str, now: datetime) -> int:
    """write_next with the configured chunk (ENTERPRISE_NOTICE_CHUNK)."""
    return write_next(worker, now, chunk=int(current_app.config["ENTERPRISE_NOTICE_CHUNK"]))


WRITER = Writer("enterprise_duty_notices", write_next=next_chunk, pending=pending)


# -- one chunk ----------------------------------------------------------------------------------


def _write_chunk(now: datetime, chunk: int) -> int:
    """The chunk's duties are read and their SMS built first, and only then marked: on SQLite
    the marking takes the one write lock, which the senders' results need too, so it is held
    for the writes alone. PostgreSQL locks the rows from the read on, skipping those another
    worker holds; on SQLite the marking UPDATE matches only rows still un-notified, so two
    workers that read the same rows write them once."""
    d = _DUTIES
    candidates = (
        select(
            d.c.id,
            d.c.revision_id,
            d.c.enterprise_id,
            d.c.measure_id,
            d.c.kind,
            d.c.exempt,
            d.c.requires_ack,
            d.c.text_zh,
            d.c.action,
            d.c.phone,
            d.c.due_at,
            d.c.in_place_at,
        )
        .where(_UNNOTIFIED)
        .order_by(d.c.id)
        .limit(chunk)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    duties: list[DutyRow] = list(db.session.execute(candidates).all())
    if not duties:
        return 0
    enterprises = _enterprises(sorted({r.enterprise_id for r in duties}))
    figures = _reductions([r for r in duties if _must_act(r)], enterprises)
    sms = _messages(duties, enterprises, now)
    # The marking: what it returns is what this worker took, as each row stands now (a duty
    # superseded since the read is not sent).
    marked = {
        duty_id: superseded_at
        for duty_id, superseded_at in db.session.execute(
            update(d)
            .where(d.c.id.in_([r.id for r in duties]), _UNNOTIFIED)
            .values(notified_at=now)
            .returning(d.c.id, d.c.superseded_at)
            .execution_options(synchronize_session=False)
        )
    }
    figures = [f for f in figures if f["duty_id"] in marked]
    if figures:
        db.session.execute(
            update(d)
            .where(d.c.id == bindparam("duty_id"))
            .values(reduction=bindparam("figures", type_=d.c.reduction.type))
            .execution_options(synchronize_session=False),
            figures,
        )
    rows = [row for duty_id, row in sms if duty_id in marked and marked[duty_id] is None]
    if rows:
        db.session.execute(_insert_new(Delivery.__table__).on_conflict_do_nothing(), rows)
    return len(marked)


@dataclass
class _Revision:
    """What the chunk's duties of one revision share: its texts, rows and whether it still sends."""

    revision: Revision
    texts: messages.Texts
    rows: messages.Rows
    over: bool  # its episode has ended: its duties are not sent


def _enterprises(ids: list[int]) -> dict[int, Any]:
    return {
        e.id: e
        for e in db.session.execute(
            select(
                Enterprise.id,
                Enterprise.name,
                Enterprise.exempt_reason,
                *(getattr(Enterprise, f"{p}_tpa") for p in POLLUTANTS),
            ).where(Enterprise.id.in_(ids))
        )
    }


def _messages(duties: list[DutyRow], enterprises: dict[int, Any], now: datetime) -> list[tuple[int, dict]]:
    """(duty id, delivery row) of each duty that is sent: not one superseded before it went, nor
    one whose revision's episode is over; every release."""
    revisions = _revisions(duties, now)
    ended = _ended_responses([r.id for r in duties if r.kind == RELEASE])
    links = ENTERPRISE_DUTY.linker()
    out = []
    for duty in duties:
        enterprise = enterprises.get(duty.enterprise_id)
        about = revisions[duty.revision_id]
        if not duty.phone or enterprise is None:
            continue
        if duty.kind == RELEASE:
            # A release outlives the warning it ends: it is sent even after the lifting.
            body = about.texts.release(
                name=enterprise.name, response=RESPONSE_ZH.get(ended.get(duty.id, ""), "")
            )
            expires = None
        elif about.over:
            continue
        else:
            body = _duty_body(about.texts, duty, enterprise.name, enterprise.exempt_reason, links)
            expires = about.revision.episode_end
        row = about.rows.row(
            "sms",
            duty.phone,
            body,
            purpose=messages.PURPOSE,
            expires=expires,
            after_revision_id=about.revision.supersedes_id,
        )
        out.append((duty.id, row))
    return out


def _must_act(duty: DutyRow) -> bool:
    return duty.kind == DUTY and bool(duty.requires_ack) and not duty.exempt


def _duty_body(texts: messages.Texts, duty: DutyRow, name: str, exempt_reason: str, links) -> str:
    if _must_act(duty):
        link = links(duty.revision_id, duty.enterprise_id)
        if duty.in_place_at is not None:  # the same duty again, already confirmed (an extension)
            return texts.continued(name=name, measure=duty.text_zh, link=link)
        return texts.duty(name=name, measure=duty.text_zh, link=link)
    if duty.exempt:
        return texts.exempt(name=name, reason=exempt_reason or "")
    return texts.no_measure(name=name)


def _revisions(taken: list[DutyRow], now: datetime) -> dict[int, _Revision]:
    out = {}
    for revision_id in sorted({r.revision_id for r in taken}):
        revision = db.session.get_one(Revision, revision_id)
        due = next((r.due_at for r in taken if r.revision_id == revision_id and r.due_at is not None), None)
        end = revision.episode_end
        out[revision_id] = _Revision(
            revision,
            messages.Texts(revision, revision.frozen_content, due),
            messages.Rows(revision, now),
            over=end is not None and end <= now,
        )
    return out


def _reductions(acting: list[DutyRow], enterprises: dict[int, Any]) -> list[dict[str, Any]]:
    """Each acting duty's expected daily reduction (tonnes a day per pollutant) from its
    enterprise's emissions, its emitting lines (one read for the chunk) and the frozen action."""
    if not acting:
        return []
    lines = _emitting_lines(sorted({r.enterprise_id for r in acting}))
    actions: dict[Any, Action | None] = {}
    figures = []
    for duty in acting:
        enterprise = enterprises.get(duty.enterprise_id)
        action = _action(duty, actions)
        if enterprise is None or action is None:
            continue
        emissions = {p: float(getattr(enterprise, f"{p}_tpa") or 0.0) for p in POLLUTANTS}
        figures.append(
            {
                "duty_id": duty.id,
                "figures": reduction.daily_reduction(emissions, lines.get(duty.enterprise_id, []), action),
            }
        )
    return figures


def _action(duty: DutyRow, parsed: dict[Any, Action | None]) -> Action | None:
    """The duty's frozen action, parsed once per measure of a revision (a duty filled by the
    plant's own plan has none of the list's). One that no longer parses counts no reduction
    rather than stopping every later notice."""
    key = (
        (duty.revision_id, duty.measure_id) if duty.measure_id is not None else json.dumps(duty.action or {})
    )
    if key not in parsed:
        try:
            parsed[key] = Action.from_dict(duty.action or {})
        except ValueError:
            log.warning("the action of duty %s does not parse: no reduction counted", duty.id)
            parsed[key] = None
    return parsed[key]


def _emitting_lines(enterprise_ids: list[int]) -> dict[int, list[tuple[str, float | None]]]:
    """Each enterprise's emitting lines as (processes, basis): the smallest of the three daily
    capacities, on which 附件11 computes a limit."""
    rows = db.session.execute(
        select(
            ProductionLine.enterprise_id,
            ProductionLine.processes,
            ProductionLine.capacity_eia,
            ProductionLine.capacity_permit,
            ProductionLine.capacity_actual,
        )
        .where(ProductionLine.enterprise_id.in_(enterprise_ids), ProductionLine.emits.is_(True))
        .order_by(ProductionLine.enterprise_id, ProductionLine.position, ProductionLine.id)
    ).all()
    lines: dict[int, list[tuple[str, float | None]]] = {}
    for enterprise_id, processes, *capacities in rows:
        known = [c for c in capacities if c is not None]
        lines.setdefault(enterprise_id, []).append((processes or "", min(known) if known else None))
    return lines


def _ended_responses(release_ids: list[int]) -> dict[int, str]:
    """For each release, the response it ends: that of the enterprise's latest duty of the same
    warning before it (the open duty the release replaced)."""
    if not release_ids:
        return {}
    released = _DUTIES.alias("released")
    earlier = _DUTIES.alias("earlier")
    ended = _DUTIES.alias("ended")
    release_revision = aliased(Revision, name="release_revision")
    earlier_revision = aliased(Revision, name="earlier_revision")
    latest = (
        select(func.max(earlier.c.id))
        .select_from(earlier)
        .join(earlier_revision, earlier_revision.id == earlier.c.revision_id)
        .where(
            earlier.c.enterprise_id == released.c.enterprise_id,
            earlier.c.kind == DUTY,
            earlier.c.id < released.c.id,
            earlier_revision.warning_id == release_revision.warning_id,
        )
        .correlate(released, release_revision)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(released.c.id, ended.c.response)
        .select_from(released)
        .join(release_revision, release_revision.id == released.c.revision_id)
        .join(ended, ended.c.id == latest)
        .where(released.c.id.in_(release_ids))
    ).all()
    return {int(release_id): response for release_id, response in rows}


def _insert_new(table):
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
