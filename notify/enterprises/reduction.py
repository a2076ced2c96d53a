"""How much a response takes off the county's industrial emissions, per pollutant and day.

The arithmetic, and where each step comes from:

1. Baseline. An industrial source's daily emission is its annual emission divided by 330 days
   (001 §六(一): 工业源原则上按照全年排放量除以330天折算). The registry holds each enterprise's
   SO2, NOx, PM and VOCs in tonnes a year, so its baseline is `tpa / 330` tonnes a day.
2. The share an action cuts (附件11's cells, as notify.enterprises.measures.Action):
   - the whole plant stops (停产, 全部停产, 所有涉气工序停产: basis "whole_plant") → its share,
     100 % for a stop;
   - "停产 N%" or "限产 N%" → N %, whether counted in lines (以生产线计), on the smallest of the
     three daily capacities (三者日均值的最小值为基准核算) or in machines (以印刷机…数量计):
     each counts the same fraction of output, and emissions follow output;
   - a measure naming processes (烧结、球团限产25%, 破碎、成型等工序停产, 30%焙烧工序停产保窑 …)
     cuts that share (100 % for a stop) of the emissions of the lines whose processes match. A
     plant's emissions are spread over its emitting lines in proportion to each line's basis
     (the smallest of 环评, 排污许可 and last year's actual daily capacity, the appendix's own
     yardstick); if a line has no figures, all its plant's lines count equally. If no line matches (or none is
     recorded), the share is taken of the whole plant, which is what the enterprise is told;
   - processes stopped outright besides a share (砖瓦窑 C at Ⅱ: half the lines stop, 破碎 and
     成型 stop on the rest) cut their matching lines entirely: a line both halves touch loses
     1 − (1 − share)(1 − 1);
   - voluntary measures (鼓励…自主采取减排措施), the city's list (其他类行业: the enterprise's
     own plan says what it does) and truck rules alone count 0 here: trucks are mobile sources,
     outside the industrial account;
   - a kiln kept warm (保窑, 蹲火保窑) still burns: keeping warm adds nothing beyond the share;
   - conditions that start later (砖瓦窑 B at Ⅱ: after 60 h, 40 % fewer kiln cars) are left out:
     the figure is what the response achieves when it starts.
3. Exempt enterprises (保民生, 以热定产, 小微) and cells the appendix prints "——" cut nothing
   but stay in the baseline.
4. The percentage is the reduction over the baseline of the same enterprises. The plan's
   targets (000 §5.3: 20/30/40 %; 001 §六(二): 10/20/30 %) are of the whole society's
   emissions, mobile and dust sources included; the industrial percentage is the part the
   approver can see before deciding, and a pollutant below its target is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from notify.enterprises.measures import Action
from notify.enterprises.reduction_lists import HEAVY_POLLUTION, choose, current_list, measures_by_key
from notify.extensions import db
from notify.models import Enterprise, ProductionLine, Revision
from notify.models.enterprises import POLLUTANTS, RESPONSES

INDUSTRIAL_DAYS = 330  # 001 §六(一)

Processes = str | Iterable[str]
LineFigures = tuple[Processes, float | None]  # (processes, basis)

_SEPARATORS = re.compile(r"[,，、/;；\s]+")
_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")


def _names(processes: Processes) -> frozenset[str]:
    """A line's or a measure's process names, each with its bracketed alias (涂布（上光）: 涂布, 上光)."""
    items = _SEPARATORS.split(processes) if isinstance(processes, str) else list(processes)
    names: set[str] = set()
    for item in items:
        item = item.strip()
        if not item:
            continue
        names.add(item)
        inner = _BRACKETED.findall(item)
        names.update(i.strip() for i in inner if i.strip())
        bare = _BRACKETED.sub("", item).strip()
        if bare:
            names.add(bare)
    return frozenset(names)


def cut_fraction(action: Action, lines: Sequence[LineFigures]) -> float:
    """The fraction (0–1) of the plant's emissions the action takes off (see the module's notes)."""
    share = action.share / 100
    if action.whole_plant:
        return share
    if not share and not action.stop_processes:
        return 0.0
    if not lines:
        return share
    named = _names(action.processes)
    stopped = _names(action.stop_processes)
    line_names = [_names(processes) for processes, _ in lines]
    if named and not any(names & named for names in line_names):
        return share
    bases = [basis for _, basis in lines]
    weights = (
        [float(b) for b in bases]  # type: ignore[arg-type]  # every basis checked positive here
        if all(b is not None and b > 0 for b in bases)
        else [1.0] * len(lines)
    )
    cut = 0.0
    for names, weight in zip(line_names, weights, strict=True):
        by_share = share if not named or names & named else 0.0
        by_stop = 1.0 if names & stopped else 0.0
        cut += weight * (1 - (1 - by_share) * (1 - by_stop))
    return cut / sum(weights)


def daily_reduction(
    enterprise_emissions: Mapping[str, float],
    lines: Sequence[LineFigures],
    action: Mapping[str, Any] | Action,
) -> dict[str, float]:
    """Tonnes a day per pollutant the action takes off an enterprise emitting `enterprise_emissions`
    (tonnes a year) on its emitting `lines` ((processes, basis) each)."""
    parsed = action if isinstance(action, Action) else Action.from_dict(action)
    fraction = cut_fraction(parsed, lines)
    return {p: float(enterprise_emissions.get(p) or 0.0) / INDUSTRIAL_DAYS * fraction for p in POLLUTANTS}


@dataclass(frozen=True)
class PollutantFigures:
    pollutant: str
    baseline: float  # t/d
    reduction: float  # t/d
    target: float | None  # percent

    @property
    def percent(self) -> float | None:
        return 100 * self.reduction / self.baseline if self.baseline > 0 else None

    @property
    def short(self) -> bool:
        """Below the target (a pollutant nobody emits cannot fall short)."""
        return self.target is not None and self.percent is not None and self.percent < self.target


@dataclass(frozen=True)
class ReductionSummary:
    response: str
    list_id: int | None
    list_version: int | None
    list_title: str
    target: float | None  # percent, the list's target for this response
    rows: list[PollutantFigures] = field(default_factory=list)
    enterprises: int = 0
    exempt: int = 0
    with_measure: int = 0  # enterprises whose cell asks for a cut or a stop

    @property
    def has_list(self) -> bool:
        return self.list_id is not None

    @property
    def short(self) -> list[str]:
        """The pollutants that fall short of the target."""
        return [row.pollutant for row in self.rows if row.short]


def expected(jurisdiction_id: int, response: str, township_ids: list[int] | None = None) -> ReductionSummary:
    """The expected daily reduction of the jurisdiction's active enterprises (of `township_ids`
    only, when given) at `response`, under the current list. Two reads whatever the county's size:
    the enterprises, then their emitting lines."""
    reduction_list = current_list(jurisdiction_id)
    where = [Enterprise.jurisdiction_id == jurisdiction_id, Enterprise.active.is_(True)]
    if township_ids is not None:
        where.append(Enterprise.township_id.in_(township_ids))
    enterprises = db.session.execute(
        select(
            Enterprise.id,
            Enterprise.industry,
            Enterprise.subtype,
            Enterprise.grade,
            Enterprise.exempt_reason,
            *(getattr(Enterprise, f"{p}_tpa") for p in POLLUTANTS),
        ).where(*where)
    ).all()
    lines: dict[int, list[LineFigures]] = {}
    for row in db.session.execute(
        select(
            ProductionLine.enterprise_id,
            ProductionLine.processes,
            ProductionLine.capacity_eia,
            ProductionLine.capacity_permit,
            ProductionLine.capacity_actual,
        )
        .join(Enterprise, ProductionLine.enterprise_id == Enterprise.id)
        .where(*where, ProductionLine.emits.is_(True))
        .order_by(ProductionLine.enterprise_id, ProductionLine.position)
    ):
        figures = [f for f in row[2:] if f is not None]
        lines.setdefault(row[0], []).append((row[1], min(figures) if figures else None))

    table = measures_by_key(reduction_list)
    actions: dict[int, Action] = {}
    baseline = dict.fromkeys(POLLUTANTS, 0.0)
    reduction = dict.fromkeys(POLLUTANTS, 0.0)
    exempt = with_measure = 0
    for e in enterprises:
        emissions = {p: float(v or 0.0) for p, v in zip(POLLUTANTS, e[5:], strict=True)}
        for p in POLLUTANTS:
            baseline[p] += emissions[p] / INDUSTRIAL_DAYS
        choice = choose(
            table,
            industry=e.industry,
            subtype=e.subtype,
            grade=e.grade,
            exempt_reason=e.exempt_reason,
            response=response,
        )
        if choice.exempt:
            exempt += 1
        if not choice.mandatory or choice.measure_id is None:
            continue
        action = actions.get(choice.measure_id)
        if action is None:
            action = actions[choice.measure_id] = Action.from_dict(choice.action)
        fraction = cut_fraction(action, lines.get(e.id, []))
        if fraction > 0:
            with_measure += 1
        for p in POLLUTANTS:
            reduction[p] += emissions[p] / INDUSTRIAL_DAYS * fraction

    target = None
    if reduction_list is not None:
        raw = (reduction_list.targets or {}).get(response)
        target = float(raw) if raw is not None else None
    return ReductionSummary(
        response=response,
        list_id=reduction_list.id if reduction_list else None,
        list_version=reduction_list.version if reduction_list else None,
        list_title=reduction_list.title if reduction_list else "",
        target=target,
        rows=[PollutantFigures(p, baseline[p], reduction[p], target) for p in POLLUTANTS],
        enterprises=len(enterprises),
        exempt=exempt,
        with_measure=with_measure,
    )


def for_revision(revision: Revision) -> ReductionSummary | None:
    """What the revision's response would take off, for the approver; None where no industrial
    response follows (another alert kind, a level without a response numeral, a lifting)."""
    level = revision.level
    if revision.action == "lift" or level.numeral not in RESPONSES or level.kind.code != HEAVY_POLLUTION:
        return None
    townships = [t.id for t in revision.townships] if revision.area_scope == "townships" else None
    return expected(level.kind.jurisdiction_id, level.numeral, townships)
