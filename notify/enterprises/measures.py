"""The structured action of one 附件11 cell, next to its printed text.

The text is what the enterprise is told; the action is what the platform reckons with: how
much stops or is limited, counted how (per line, on the smallest of the three capacities, per
machine, or the whole plant), which processes the measure names, what happens to the trucks,
and the parts that only apply later (砖瓦窑 B at Ⅱ: after 60 h, 40 % fewer kiln cars).

Shares are percent (0–100). An action is stored as a plain dict (ReductionMeasure.action,
EnterpriseDuty.action); `Action.from_dict` checks one and says which field is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# 以生产线计 · 三者日均值的最小值为基准核算 · 以印刷机、覆膜机、复合机数量计 · 停产 (the whole plant)
BASES = ("lines", "capacity_min", "machines", "whole_plant")
# 停止使用国四及以下重型载货车辆（含燃气）进行运输 · 停止公路运输 / 停止运输
TRUCKS = ("none", "stop_china4_and_below", "stop_road")

_FIELDS = (
    "stop_share",
    "limit_share",
    "basis",
    "processes",
    "stop_processes",
    "trucks",
    "voluntary",
    "refers_to_city_list",
    "conditions",
    "kiln_keep_warm",
)
_CONDITION_FIELDS = ("after_hours", "text", "stop_share", "limit_share")


def _share(value: Any, name: str) -> float | None:
    if value is None:
        return None
    # bool is an int to Python; true as a percentage is a slip in the data, not 1 %.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: must be a number (percent), not {value!r}")
    if not 0 <= value <= 100:
        raise ValueError(f"{name}: {value} is outside 0–100 (percent)")
    return float(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name}: must be true or false, not {value!r}")
    return value


def _names(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name}: must be a list of process names")
    return tuple(v.strip() for v in value)


def _number(value: float) -> int | float:
    """50.0 is written 50, so the stored dicts read like the appendix."""
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class Condition:
    """A part of the measure that applies only after the response has lasted `after_hours`."""

    text: str
    after_hours: float | None = None
    stop_share: float | None = None
    limit_share: float | None = None

    @classmethod
    def from_dict(cls, data: Any) -> Condition:
        if not isinstance(data, Mapping):
            raise ValueError("conditions: each condition must be an object")
        unknown = sorted(set(data) - set(_CONDITION_FIELDS))
        if unknown:
            raise ValueError(f"conditions: unknown field {unknown[0]!r}")
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError("conditions.text: a condition needs its text")
        hours = data.get("after_hours")
        if hours is not None and (
            isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0
        ):
            raise ValueError(f"conditions.after_hours: must be a positive number of hours, not {hours!r}")
        return cls(
            text=text.strip(),
            after_hours=None if hours is None else float(hours),
            stop_share=_share(data.get("stop_share"), "conditions.stop_share"),
            limit_share=_share(data.get("limit_share"), "conditions.limit_share"),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.after_hours is not None:
            out["after_hours"] = _number(self.after_hours)
        out["text"] = self.text
        for name in ("stop_share", "limit_share"):
            value = getattr(self, name)
            if value is not None:
                out[name] = _number(value)
        return out


@dataclass(frozen=True)
class Action:
    # Share of production stopped (停产 N%), or of output limited (限产 N%), in percent.
    stop_share: float | None = None
    limit_share: float | None = None
    basis: str | None = None  # BASES; set exactly when a share is
    # The processes the share applies to (烧结, 球团, 焙烧 …); none: every line of the plant.
    processes: tuple[str, ...] = ()
    # Processes stopped outright besides the share (砖瓦窑 C at Ⅱ: 50 % of the lines stop and
    # 破碎、成型 stop on the rest).
    stop_processes: tuple[str, ...] = ()
    trucks: str = "none"
    voluntary: bool = False  # 鼓励结合实际，自主采取减排措施
    refers_to_city_list: bool = False  # 以阳泉市重污染天气应急减排清单的应急减排措施为准
    conditions: tuple[Condition, ...] = field(default_factory=tuple)
    kiln_keep_warm: bool = False  # 保窑 / 蹲火保窑: the kiln is kept warm, not shut down

    def __post_init__(self) -> None:
        _share(self.stop_share, "stop_share")
        _share(self.limit_share, "limit_share")
        if self.stop_share is not None and self.limit_share is not None:
            raise ValueError("stop_share, limit_share: a measure stops or limits, not both")
        if self.basis is not None and self.basis not in BASES:
            raise ValueError(f"basis: {self.basis!r} is not one of {', '.join(BASES)}")
        has_share = self.stop_share is not None or self.limit_share is not None
        if has_share and self.basis is None:
            raise ValueError("basis: a share needs the basis it is counted on")
        if self.basis is not None and not has_share:
            raise ValueError("basis: given without a stop_share or limit_share")
        if self.basis == "whole_plant" and self.processes:
            raise ValueError("processes: a whole-plant measure names no processes")
        if self.trucks not in TRUCKS:
            raise ValueError(f"trucks: {self.trucks!r} is not one of {', '.join(TRUCKS)}")

    @classmethod
    def from_dict(cls, data: Any) -> Action:
        if not isinstance(data, Mapping):
            raise ValueError("action: must be an object")
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise ValueError(f"action: unknown field {unknown[0]!r}")
        basis = data.get("basis")
        if basis is not None and not isinstance(basis, str):
            raise ValueError(f"basis: {basis!r} is not one of {', '.join(BASES)}")
        trucks = data.get("trucks", "none")
        if not isinstance(trucks, str):
            raise ValueError(f"trucks: {trucks!r} is not one of {', '.join(TRUCKS)}")
        conditions = data.get("conditions", [])
        if not isinstance(conditions, list | tuple):
            raise ValueError("conditions: must be a list")
        return cls(
            stop_share=_share(data.get("stop_share"), "stop_share"),
            limit_share=_share(data.get("limit_share"), "limit_share"),
            basis=basis,
            processes=_names(data.get("processes", []), "processes"),
            stop_processes=_names(data.get("stop_processes", []), "stop_processes"),
            trucks=trucks,
            voluntary=_flag(data.get("voluntary", False), "voluntary"),
            refers_to_city_list=_flag(data.get("refers_to_city_list", False), "refers_to_city_list"),
            conditions=tuple(Condition.from_dict(c) for c in conditions),
            kiln_keep_warm=_flag(data.get("kiln_keep_warm", False), "kiln_keep_warm"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Only what differs from nothing-to-do, so a stored action reads like its cell."""
        out: dict[str, Any] = {}
        for name in ("stop_share", "limit_share"):
            value = getattr(self, name)
            if value is not None:
                out[name] = _number(value)
        if self.basis is not None:
            out["basis"] = self.basis
        if self.processes:
            out["processes"] = list(self.processes)
        if self.stop_processes:
            out["stop_processes"] = list(self.stop_processes)
        if self.trucks != "none":
            out["trucks"] = self.trucks
        for name in ("voluntary", "refers_to_city_list", "kiln_keep_warm"):
            if getattr(self, name):
                out[name] = True
        if self.conditions:
            out["conditions"] = [c.to_dict() for c in self.conditions]
        return out

    @property
    def share(self) -> float:
        """The percentage the measure takes away where it applies (0 when it takes nothing)."""
        return self.stop_share if self.stop_share is not None else self.limit_share or 0.0

    @property
    def whole_plant(self) -> bool:
        return self.basis == "whole_plant"
