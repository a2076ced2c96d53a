"""How urgent a delivery is: deliveries.priority, claimed smallest first on each route.

Three rules, in this order of weight:
- those who must act (member units, townships, schools, robots, partner webhooks) before the
  general public, whatever the level;
- within each, the higher the level the sooner: red before orange before yellow before blue,
  counted as steps below the top of the kind's own scale, so every kind's red is as urgent;
- warnings before routine messages (tip-off receipts, reminders, escalations), which take the
  column's default, so a writer that names no priority is routine.

    responders   1 (red) … 9        public   11 (red) … 19        routine   50
"""

from __future__ import annotations

from notify.models import Level, Revision
from notify.models.deliveries import Priority

MOST_URGENT = Priority.MOST_URGENT
ROUTINE = Priority.ROUTINE
RESPONDERS = MOST_URGENT  # a red warning to responders
PUBLIC = RESPONDERS + 10  # a red warning to the public
# An ungraded kind's message (an ozone prompt) and anything below eight steps share the last slot.
LOWEST_STEP = 8


def steps_below_top(level: Level | None) -> int:
    """0 for the top level of the kind's scale (red), 1 for the next (orange), …"""
    if level is None or not level.kind.graded:
        return LOWEST_STEP
    top = max(lv.rank for lv in level.kind.levels)
    return min(max(top - level.rank, 0), LOWEST_STEP)


def for_responders(revision: Revision) -> int:
    """A warning to those who must act: school notices too."""
    return RESPONDERS + steps_below_top(revision.level)


def for_public(revision: Revision) -> int:
    """A warning to the public subscribers and to any group too large to count as responders."""
    return PUBLIC + steps_below_top(revision.level)
