"""What a citizen can report: the violations of response measures the plan names (§5.3, §7.3)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "production_during_shutdown": _l("Enterprise producing during a shutdown or restriction"),
    "control_equipment_off": _l("Pollution-control equipment not running"),
    "vehicle_restriction": _l("Vehicle breaking the traffic restrictions"),
    "dust": _l("Dust from a construction site or road"),
    "open_burning": _l("Open burning"),
    "fireworks": _l("Fireworks or firecrackers"),
    "other": _l("Other violation of the response measures"),
}

OUTCOMES = {
    "true": _l("True"),
    "partly_true": _l("Partly true"),
    "unsubstantiated": _l("Not substantiated"),
    "false_rumour": _l("False / rumour"),
}
# Findings that verify a report, and so may earn its first real-name reporter a reward.
VERIFIED_OUTCOMES = frozenset({"true", "partly_true"})


def category_label(code: str):
    return CATEGORIES.get(code, code)


def outcome_label(code: str | None):
    return OUTCOMES.get(code or "", code or "")
