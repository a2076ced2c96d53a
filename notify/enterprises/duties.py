"""Enterprise duties, written in the transaction that publishes a revision (seed 000 §5.3 ①,
附件11; §5.6: measures in place within 2 h of the order; §5.7: the response ends with the lifting).

Publishing a heavy-pollution level freezes, for each active enterprise of the revision's area,
the measure of 附件11 for its industry, sub-type, grade and the level's response (Ⅲ/Ⅱ/Ⅰ), its
approved plan and the time its measures are due. A county has thousands of enterprises and the
publish transaction has a budget, so it writes them with a bounded number of statements, each
set-based: ONE INSERT … SELECT of the duties (the reached enterprises LEFT JOIN the list's cell
and the approved plan), one of the releases, one UPDATE of the duties they replace. What grows
with the enterprises beyond that, each one's SMS with its own signed link and its expected daily
reduction, is written after the commit by the executors, in chunks (notify.enterprises.
duty_notices); the groups' robots, a handful, get their text without a link here.

A later revision of the warning (upgrade, downgrade, extension) replaces every open duty of the
earlier ones: they are marked superseded, their escalation stops and their links say so; the new
duty comes with a new link. Where the new duty is the old one again (an extension at the same
response and the same measure), what the enterprise confirmed is carried over and it is not asked
again. A lifting, or a step to a level without a response, sends those who had a duty to carry
out a release instead, as does a step whose area no longer includes them. An exercise reaches no
enterprise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from notify import audit, clock
from notify.ack_links import ENTERPRISE_DUTY
from notify.enterprises import escalation, messages, reduction_lists
from notify.extensions import db
from notify.models import (
    Delivery,
    Enterprise,
    EnterpriseDuty,
    EnterprisePlan,
    ReductionMeasure,
    Revision,
    Robot,
    Warning,
)
from notify.models.enterprises import GRADES, RESPONSES
from notify.models.robots import robot_address
from notify.row_counts import rows_written

PURPOSE = messages.PURPOSE
DUTY, RELEASE = "duty", "release"
EXEMPT = "exempt"  # the grade of a 保民生 / 以热定产 / 小微 enterprise
# The alert kinds whose levels order enterprises to reduce (附件11 is the heavy-pollution plan's).
KINDS = ("heavy_pollution",)
RESPONSE_ZH = {"III": "Ⅲ级响应", "II": "Ⅱ级响应", "I": "Ⅰ级响应"}
RELEASE_TEXT_ZH = "应急响应终止，可解除应急减排措施，恢复正常生产。"

_DUTIES = EnterpriseDuty.__table__
# The columns every INSERT … SELECT below names, in the order its SELECT gives them.
COLUMNS = (
    "revision_id",
    "enterprise_id",
    "township_id",
    "list_id",
    "measure_id",
    "plan_id",
    "kind",
    "response",
    "grade",
    "exempt",
    "text_zh",
    "action",
    "reduction",
    "phone",
    "requires_ack",
    "due_at",
    "created_at",
    "received_at",
    "in_place_at",
    "in_place_note",
    "in_place_photo",
)


def response_of(revision: Revision) -> str | None:
    """The response ("III", "II", "I") a revision orders enterprises to carry out, if any."""
    if revision.action == "lift" or revision.warning.kind.code not in KINDS:
        return None
    numeral = revision.level.numeral
    return numeral if numeral in RESPONSES else None


def link(revision_id: int, enterprise_id: int) -> str:
    return ENTERPRISE_DUTY.link(revision_id, enterprise_id)


def _reached_terms(revision: Revision) -> list[ColumnElement[bool]]:
    """Which enterprises a revision's duties go to: the active ones of its area."""
    terms = [Enterprise.jurisdiction_id == revision.warning.jurisdiction_id, Enterprise.active.is_(True)]
    if revision.area_scope == "townships":
        terms.append(Enterprise.township_id.in_([t.id for t in revision.townships]))
    return terms


def enterprises_reached(revision: Revision) -> Select:
    """The enterprises a revision's duties go to, in id order, with what decides their duty
    (the approval's fingerprint of the registry reads these columns)."""
    return (
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.township_id,
            Enterprise.industry,
            Enterprise.subtype,
            Enterprise.grade,
            Enterprise.exempt_reason,
            Enterprise.so2_tpa,
            Enterprise.nox_tpa,
            Enterprise.pm_tpa,
            Enterprise.vocs_tpa,
            Enterprise.env_officer_phone,
            Enterprise.robot_id,
        )
        .where(*_reached_terms(revision))
        .order_by(Enterprise.id)
    )


def due_at(revision: Revision, now: datetime) -> datetime:
    """§5.6: in place within ENTERPRISE_DUTY_HOURS of the order, counted from the response
    start; never from before the duty was sent (a publication later than its start)."""
    start = revision.response_start_at
    start = max(start, now) if start is not None else now
    return start + timedelta(hours=current_app.config["ENTERPRISE_DUTY_HOURS"])


def write_for(revision: Revision, now: datetime) -> int:
    """Write the duties (or releases) of a revision being published; returns how many
    enterprises get one. Their SMS follow after the commit (duty_notices); the robots' messages
    are written here. Schedules the escalation of those that must act."""
    warning = revision.warning
    if warning.is_exercise:
        return 0  # an exercise reaches the test group only, never an enterprise
    response = response_of(revision)
    due = due_at(revision, now) if response else None
    # Read before anything is written: the open duties this revision ends, per revision.
    ended = _open_earlier_by_revision(revision)
    ordered = in_place = duties = released = 0
    if response:
        duties, ordered, in_place = _insert_duties(
            revision, response, due, now, carry_over=any(ended.values())
        )
    if ended:
        released = _insert_releases(revision, now)
        _supersede_earlier(revision, now)
    for revision_id in sorted(ended):
        escalation.cancel(revision_id)
    written = duties + released
    if not written:
        return 0
    # The groups hear of a release only when the whole response ends, not when a step's
    # smaller area leaves some of their enterprises out.
    robots = _robot_deliveries(revision, now, due, release=not response)
    awaited = ordered - in_place
    if awaited and due is not None:
        escalation.schedule(revision.id, due)
    audit.record(
        "enterprise.duties",
        actor_name="system",
        subject=revision,
        warning_id=warning.id,
        summary=f"{warning.reference} #{revision.sequence}: {written - released} enterprise duties"
        f" ({ordered} to confirm), {released} releases",
        detail={
            "response": response or "",
            "duties": written - released,
            "to_confirm": ordered,
            "already_in_place": in_place,
            "releases": released,
            "superseded": sum(ended.values()),
            "robots": robots,
            "due_at": due.isoformat() if due else None,
        },
        at=now,
    )
    return written


# -- the set-based writes of write_for --------------------------------------------------------


def _earlier_revisions(revision: Revision) -> Select:
    return select(Revision.id).where(Revision.warning_id == revision.warning_id, Revision.id != revision.id)


def _open(duty, revision: Revision) -> ColumnElement[bool]:
    """`duty` (an alias of the table) is an open duty of the warning's earlier revisions."""
    return and_(duty.c.revision_id.in_(_earlier_revisions(revision)), duty.c.superseded_at.is_(None))


def _ordered(duty) -> ColumnElement[bool]:
    """A duty that ordered something (not an exemption, not a release): it ends with a release."""
    return and_(duty.c.kind == DUTY, duty.c.exempt.is_(False))


def _open_earlier_by_revision(revision: Revision) -> dict[int, int]:
    """Earlier revisions with open duties → how many of those ordered something."""
    d = _DUTIES.alias("open_duty")
    rows = db.session.execute(
        select(d.c.revision_id, func.sum(case((_ordered(d), 1), else_=0)))
        .where(_open(d, revision))
        .group_by(d.c.revision_id)
    ).all()
    return {int(revision_id): int(count or 0) for revision_id, count in rows}


def _typed(value: Any, column: str):
    """A constant of the SELECT, bound with its column's type (UTC times, JSON, NULLs that
    PostgreSQL would otherwise take for text)."""
    if value is None:
        return cast(null(), _DUTIES.c[column].type)
    return literal(value, type_=_DUTIES.c[column].type)


def _any_grade_cells(list_id: int, response: str) -> list[int]:
    """For the industries whose cell holds whatever the grade (露天开采), the one cell each
    (industry, sub-type) takes at `response`: the first in GRADES order. A few rows."""
    rows = db.session.execute(
        select(
            ReductionMeasure.id, ReductionMeasure.industry, ReductionMeasure.subtype, ReductionMeasure.grade
        ).where(
            ReductionMeasure.list_id == list_id,
            ReductionMeasure.industry.in_(sorted(reduction_lists.ANY_GRADE)),
            ReductionMeasure.response == response,
            ReductionMeasure.grade.in_(GRADES),
        )
    ).all()
    first: dict[tuple[str, str], tuple[int, int]] = {}
    for measure_id, industry, subtype, grade in rows:
        rank = GRADES.index(grade)
        if (industry, subtype) not in first or rank < first[(industry, subtype)][0]:
            first[(industry, subtype)] = (rank, measure_id)
    return sorted(measure_id for _, measure_id in first.values())


def _insert_duties(
    revision: Revision, response: str, due: datetime | None, now: datetime, *, carry_over: bool
) -> tuple[int, int, int]:
    """ONE INSERT … SELECT: each reached enterprise with its cell of the current list (exact, or
    any grade's for 露天开采; none for an exempt enterprise or a "——" cell), its latest approved
    plan (whose text fills a cell the list leaves empty), and, where earlier revisions left
    duties open (`carry_over`), what it confirmed of one with the same response and measure
    (an extension). Returns (duties, to confirm, already in place)."""
    e = Enterprise
    subtype = func.coalesce(e.subtype, "")
    not_exempt = e.grade != EXEMPT
    reduction_list = reduction_lists.current_list(revision.warning.jurisdiction_id)
    cell = aliased(ReductionMeasure, name="cell")
    any_cell = aliased(ReductionMeasure, name="any_grade_cell")
    if reduction_list is not None:
        on_cell: ColumnElement[bool] = and_(
            cell.list_id == reduction_list.id,
            cell.industry == e.industry,
            cell.subtype == subtype,
            cell.grade == e.grade,
            cell.response == response,
        )
        any_ids = _any_grade_cells(reduction_list.id, response)
    else:
        on_cell, any_ids = false(), []
    on_any_cell: ColumnElement[bool] = (
        and_(
            any_cell.id.in_(any_ids), any_cell.industry == e.industry, any_cell.subtype == subtype, not_exempt
        )
        if any_ids
        else false()
    )
    plan = aliased(EnterprisePlan, name="plan")
    newer = aliased(EnterprisePlan, name="newer_plan")
    on_plan = and_(
        plan.enterprise_id == e.id,
        plan.state == "approved",
        ~exists().where(
            newer.enterprise_id == plan.enterprise_id, newer.state == "approved", newer.version > plan.version
        ),
    )
    # A cell the list leaves empty (其他类行业, "——") is filled by the plant's own plan.
    plan_text = func.trim(plan.levels[(response, "text")].as_string())
    text = func.coalesce(cell.text_zh, any_cell.text_zh, plan_text, "")
    requires_ack = and_(not_exempt, text != "")
    # The open duty an enterprise had (the latest, should the warning hold more than one).
    before = _DUTIES.alias("before")
    latest = (
        select(before.c.enterprise_id, func.max(before.c.id).label("id"))
        .where(_open(before, revision), _ordered(before))
        .group_by(before.c.enterprise_id)
        .subquery("latest")
    )
    previous = _DUTIES.alias("previous")
    # The same measure again: what the enterprise already confirmed stays confirmed.
    same = and_(requires_ack, previous.c.response == response, previous.c.text_zh == text)

    def kept(column: str, otherwise: Any = None):
        if not carry_over:  # a first publication: nothing to carry, no join to make
            return _typed(otherwise, column)
        return case((same, previous.c[column]), else_=_typed(otherwise, column))

    duties = (
        select(
            _typed(revision.id, "revision_id"),
            e.id,
            e.township_id,
            _typed(reduction_list.id if reduction_list is not None else None, "list_id"),
            func.coalesce(cell.id, any_cell.id),
            plan.id,
            _typed(DUTY, "kind"),
            _typed(response, "response"),
            e.grade,
            e.grade == EXEMPT,
            text,
            func.coalesce(cell.action, any_cell.action, _typed({}, "action")),
            _typed({}, "reduction"),  # computed with its SMS (duty_notices)
            func.coalesce(e.env_officer_phone, ""),
            requires_ack,
            _typed(due, "due_at"),
            _typed(now, "created_at"),
            kept("received_at"),
            kept("in_place_at"),
            kept("in_place_note", ""),
            kept("in_place_photo"),
        )
        .select_from(e)
        .outerjoin(cell, on_cell)
        .outerjoin(any_cell, on_any_cell)
        .outerjoin(plan, on_plan)
        .where(*_reached_terms(revision))
        .order_by(e.id)
    )
    if carry_over:
        duties = duties.outerjoin(latest, latest.c.enterprise_id == e.id).outerjoin(
            previous, previous.c.id == latest.c.id
        )
    statement = insert(_DUTIES).from_select(COLUMNS, duties).execution_options(preserve_rowcount=True)
    written = rows_written(db.session.execute(statement))
    d = _DUTIES
    ordered = d.c.requires_ack.is_(True)
    to_confirm, in_place = db.session.execute(
        select(
            func.sum(case((ordered, 1), else_=0)),
            func.sum(case((and_(ordered, d.c.in_place_at.is_not(None)), 1), else_=0)),
        ).where(d.c.revision_id == revision.id)
    ).one()
    return written, int(to_confirm or 0), int(in_place or 0)


def _insert_releases(revision: Revision, now: datetime) -> int:
    """ONE INSERT … SELECT: a release for each enterprise whose open duty ordered something
    and that this revision gives no duty (a lifting, a level without a response, a smaller area)."""
    e = Enterprise
    before = _DUTIES.alias("before")
    mine = _DUTIES.alias("mine")
    releases = (
        select(
            _typed(revision.id, "revision_id"),
            e.id,
            e.township_id,
            _typed(None, "list_id"),
            _typed(None, "measure_id"),
            _typed(None, "plan_id"),
            _typed(RELEASE, "kind"),
            _typed("", "response"),
            e.grade,
            _typed(False, "exempt"),
            _typed(RELEASE_TEXT_ZH, "text_zh"),
            _typed({}, "action"),
            _typed({}, "reduction"),
            func.coalesce(e.env_officer_phone, ""),
            _typed(False, "requires_ack"),
            _typed(None, "due_at"),
            _typed(now, "created_at"),
            _typed(None, "received_at"),
            _typed(None, "in_place_at"),
            _typed("", "in_place_note"),
            _typed(None, "in_place_photo"),
        )
        .where(
            e.id.in_(select(before.c.enterprise_id).where(_open(before, revision), _ordered(before))),
            ~exists().where(mine.c.revision_id == revision.id, mine.c.enterprise_id == e.id),
        )
        .order_by(e.id)
    )
    # The row count kept (psycopg reports none for an INSERT unless asked).
    statement = insert(_DUTIES).from_select(COLUMNS, releases).execution_options(preserve_rowcount=True)
    return rows_written(db.session.execute(statement))


def _supersede_earlier(revision: Revision, now: datetime) -> int:
    """Mark the open duties of the warning's earlier revisions superseded (after the two
    inserts, which read them as they were)."""
    result = db.session.execute(
        update(_DUTIES)
        .where(_open(_DUTIES, revision))
        .values(superseded_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_written(result)


def _robot_deliveries(revision: Revision, now: datetime, due: datetime | None, *, release: bool) -> list[int]:
    """One message per active robot, without a link (in a group chat anyone could press it):
    the names of its enterprises that must act, or that are released when the response ends.
    Written here: a county has a handful of groups. Returns the robots told."""
    kinds: dict[int, str] = dict(
        db.session.execute(
            select(Robot.id, Robot.kind).where(
                Robot.jurisdiction_id == revision.warning.jurisdiction_id, Robot.active.is_(True)
            )
        ).all()
    )
    if not kinds:
        return []
    d = _DUTIES
    which = d.c.kind == RELEASE if release else and_(d.c.kind == DUTY, d.c.requires_ack.is_(True))
    members: dict[int, list[tuple[str, str]]] = {}
    for robot_id, name, text in db.session.execute(
        select(Enterprise.robot_id, Enterprise.name, d.c.text_zh)
        .join(d, and_(d.c.revision_id == revision.id, d.c.enterprise_id == Enterprise.id))
        .where(Enterprise.robot_id.in_(sorted(kinds)), which)
        .order_by(Enterprise.id)
    ):
        members.setdefault(robot_id, []).append((name, text))
    if not members:
        return []
    texts = messages.Texts(revision, revision.frozen_content, due)
    out = messages.Rows(revision, now)
    rows = [
        out.row(
            "robot",
            robot_address(robot_id),
            texts.robot(names=[n for n, _ in named], measure=named[0][1], release=release),
            purpose=PURPOSE,
            expires=None if release else revision.episode_end,
            gateway=kinds[robot_id],
            after_revision_id=revision.supersedes_id,
        )
        for robot_id, named in sorted(members.items())
    ]
    db.session.execute(insert(Delivery.__table__), rows)
    return sorted(members)


# -- queries --------------------------------------------------------------------------------------


def in_force(enterprise_id: int, now: datetime | None = None) -> EnterpriseDuty | None:
    """The enterprise's current duty: not superseded, of its warning's latest published
    revision, while the warning is active and its episode has not ended."""
    now = now or clock.now()
    later = aliased(Revision)
    latest = (
        select(func.max(later.sequence))
        .where(later.warning_id == Revision.warning_id, later.state == "published")
        .correlate(Revision)
        .scalar_subquery()
    )
    return db.session.scalar(
        select(EnterpriseDuty)
        .join(Revision, EnterpriseDuty.revision_id == Revision.id)
        .join(Warning, Revision.warning_id == Warning.id)
        .where(
            EnterpriseDuty.enterprise_id == enterprise_id,
            EnterpriseDuty.kind == DUTY,
            EnterpriseDuty.superseded_at.is_(None),
            Revision.state == "published",
            Revision.sequence == latest,
            Warning.status == "active",
            or_(Revision.episode_end.is_(None), Revision.episode_end > now),
        )
        .order_by(Revision.published_at.desc(), EnterpriseDuty.id.desc())
        .limit(1)
    )


def for_revision(revision_id: int) -> list[EnterpriseDuty]:
    """A revision's duties and releases, by township then enterprise."""
    return list(
        db.session.scalars(
            select(EnterpriseDuty)
            .where(EnterpriseDuty.revision_id == revision_id)
            .order_by(EnterpriseDuty.township_id, EnterpriseDuty.enterprise_id)
        )
    )
