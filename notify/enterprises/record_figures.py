"""The enterprises' part of a response's statistics (附件6): how many were ordered to stop or
limit production, how many put their measures in place on time, late or not at all, how many
were exempt, and per step of the response the daily reduction expected and confirmed.

Counted over every revision of the warning: an upgrade orders the same enterprise again, so
orders (指令) and enterprises (家) are both given. An order replaced before its deadline and never
confirmed is neither late nor missed: the newer order is the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from notify.enterprises import dashboard
from notify.extensions import db
from notify.models import EnterpriseDuty, Revision, Warning
from notify.models.enterprises import POLLUTANTS


@dataclass(frozen=True)
class StepReduction:
    revision: Revision
    expected: dict[str, float]  # t/d per pollutant
    confirmed: dict[str, float]

    def share(self, pollutant: str) -> float | None:
        return dashboard.percent(self.confirmed.get(pollutant, 0.0), self.expected.get(pollutant, 0.0))

    def pollutants(self) -> list[str]:
        """The pollutants this step was to reduce (or did), in POLLUTANTS' order."""
        return [p for p in POLLUTANTS if self.expected.get(p, 0.0) > 0 or self.confirmed.get(p, 0.0) > 0]


@dataclass(frozen=True)
class ResponseFigures:
    enterprises: int  # enterprises ordered to stop or limit (家)
    orders: int  # their orders over the response's steps (次)
    on_time: int
    late: int
    missed: int  # never confirmed and past the deadline (or the deadline passed before it was replaced)
    exempt: int  # enterprises exempt (家)
    steps: list[StepReduction] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.orders or self.exempt)


def _missed(now: datetime):
    duty = EnterpriseDuty
    return and_(
        dashboard.open_duty(),
        duty.due_at.is_not(None),
        or_(
            and_(duty.superseded_at.is_(None), duty.due_at < now),
            and_(duty.superseded_at.is_not(None), duty.due_at < duty.superseded_at),
        ),
    )


def _when(condition, value):
    """value where condition holds, else NULL (which COUNT(DISTINCT …) leaves out)."""
    return case((condition, value), else_=None)


def of_warning(warning: Warning, now: datetime) -> ResponseFigures:
    duty = EnterpriseDuty
    ordered = dashboard.ordered()
    exempt = and_(duty.kind == "duty", duty.exempt.is_(True))
    enterprises, orders, late, in_place, missed, exempt_enterprises = db.session.execute(
        select(
            func.count(func.distinct(_when(ordered, duty.enterprise_id))),
            dashboard.count(ordered),
            dashboard.count(dashboard.late()),
            dashboard.count(dashboard.in_place()),
            dashboard.count(_missed(now)),
            func.count(func.distinct(_when(exempt, duty.enterprise_id))),
        )
        .join(Revision, Revision.id == duty.revision_id)
        .where(Revision.warning_id == warning.id)
    ).one()
    steps = [
        StepReduction(r, *dashboard.reduction(r))
        for r in sorted(warning.revisions, key=lambda r: r.sequence)
        if r.state == "published" and r.action != "lift"
    ]
    return ResponseFigures(
        enterprises=int(enterprises or 0),
        orders=int(orders or 0),
        on_time=int(in_place or 0) - int(late or 0),
        late=int(late or 0),
        missed=int(missed or 0),
        exempt=int(exempt_enterprises or 0),
        steps=[s for s in steps if s.pollutants()],
    )


_ZH_POLLUTANTS = {"so2": "SO2", "nox": "NOx", "pm": "颗粒物", "vocs": "VOCs"}


def _tonnes(value: float) -> str:
    return f"{value:.2f}"


def step_text(step: StepReduction) -> str:
    """One step's line, confirmed/expected: "#2 橙色预警（Ⅱ级响应）：SO2 0.60/1.20（50.0%）；…"."""
    level = step.revision.level
    parts = []
    for p in step.pollutants():
        expected, confirmed = step.expected.get(p, 0.0), step.confirmed.get(p, 0.0)
        share = step.share(p)
        parts.append(
            f"{_ZH_POLLUTANTS[p]} {_tonnes(confirmed)}/{_tonnes(expected)}"
            + (f"（{share:.1f}%）" if share is not None else "")
        )
    return f"#{step.revision.sequence} {level.name_zh}（{level.response_level_zh}）：" + "；".join(parts)


def form_rows(figures: ResponseFigures | None) -> list[tuple[str, str]]:
    """The rows 附件6 gains for the enterprises (label, value), in the form's Chinese; none when
    no enterprise had a duty in the response."""
    if figures is None or not figures.any:
        return []
    return [
        (
            "企业停限产落实",
            f"停产限产企业{figures.enterprises}家（指令{figures.orders}次），"
            f"按时落实到位{figures.on_time}次，逾期落实{figures.late}次，逾期未落实{figures.missed}次；"
            f"豁免企业{figures.exempt}家",
        ),
        (
            "企业减排量",
            "\n".join(["已确认/应减（吨/日）：", *(step_text(s) for s in figures.steps)])
            if figures.steps
            else "—",
        ),
    ]
