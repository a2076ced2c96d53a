"""Adding screens, changing them, and replacing their tokens: shared by the console and the demo.

Validation lives here so that the console form, a CSV import and the demo obey the same rules.
A change to what a screen shows (its profile, name, township, being switched on) raises its
feed version, so its gateway fetches the new layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, insert, literal, select, update

from notify.extensions import db
from notify.models import Jurisdiction, Township
from notify.models.screens import COLOUR_MODES, VENDORS, Screen, ScreenFeedVersion
from notify.screens import status, tokens

LIMITS = {"chars_per_line": (4, 64), "lines": (1, 16), "heartbeat_interval_s": (10, 3600)}
# Fields that change the feed's layout or text; the rest (location, interval) do not.
SHOWN = ("name", "township_id", "chars_per_line", "lines", "colours", "vendor", "is_test")


class InvalidScreen(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class ScreenData:
    name: str
    township: Township | None
    vendor: str
    chars_per_line: int
    lines: int
    colours: str = "full"
    location: str = ""
    heartbeat_interval_s: int = 60
    is_test: bool = False
    active: bool = True


def validate(jurisdiction: Jurisdiction, data: ScreenData) -> None:
    errors = {}
    if not (data.name or "").strip():
        errors["name"] = _l("A name is required.")
    elif len(data.name.strip()) > 200:
        errors["name"] = _l("The screen name is longer than 200 characters.")
    if len((data.location or "").strip()) > 300:
        errors["location"] = _l("The location is longer than 300 characters.")
    if data.township is None or data.township.jurisdiction_id != jurisdiction.id:
        errors["township_id"] = _l("Choose a township of this county.")
    if data.vendor not in VENDORS:
        errors["vendor"] = _l("Choose one of the listed controller vendors.")
    if data.colours not in COLOUR_MODES:
        errors["colours"] = _l("Choose full colour, two colours or one colour.")
    for name, (low, high) in LIMITS.items():
        value = getattr(data, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _l("Give a whole number from %(low)d to %(high)d.", low=low, high=high)
    if errors:
        raise InvalidScreen(errors)


def _valid_township(jurisdiction: Jurisdiction, data: ScreenData) -> Township:
    """Validate the data and return its township, which validation makes sure is given."""
    validate(jurisdiction, data)
    assert data.township is not None
    return data.township


def create(
    jurisdiction: Jurisdiction, data: ScreenData, now: datetime, *, token: str | None = None
) -> tuple[Screen, str]:
    """A new screen and its token (shown once). Its feed starts at version 1."""
    township = _valid_township(jurisdiction, data)
    token = token or tokens.new_token()
    screen = Screen(
        jurisdiction_id=jurisdiction.id,
        township_id=township.id,
        name=data.name.strip(),
        location=(data.location or "").strip(),
        vendor=data.vendor,
        chars_per_line=data.chars_per_line,
        lines=data.lines,
        colours=data.colours,
        heartbeat_interval_s=data.heartbeat_interval_s,
        is_test=data.is_test,
        active=data.active,
        token_hash=tokens.digest(token),
        token_set_at=now,
        feed_version=1,
        feed_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    # A screen that never reports raises its alarm like one that stopped.
    screen.heartbeat_due_at = status.due_after(screen, now)
    db.session.add(screen)
    db.session.flush()
    db.session.add(ScreenFeedVersion(screen_id=screen.id, version=1, reason="created", created_at=now))
    return screen, token


def change(screen: Screen, data: ScreenData, now: datetime) -> dict[str, tuple]:
    """Apply the form; returns the changed fields (old, new). Bumps the feed if it shows them."""
    township = _valid_township(screen.jurisdiction, data)
    new = {
        "name": data.name.strip(),
        "location": (data.location or "").strip(),
        "township_id": township.id,
        "vendor": data.vendor,
        "chars_per_line": data.chars_per_line,
        "lines": data.lines,
        "colours": data.colours,
        "heartbeat_interval_s": data.heartbeat_interval_s,
        "is_test": data.is_test,
        "active": data.active,
    }
    changed = {k: (getattr(screen, k), v) for k, v in new.items() if getattr(screen, k) != v}
    for key, (_old, value) in changed.items():
        setattr(screen, key, value)
    if "heartbeat_interval_s" in changed or ("active" in changed and screen.active):
        # Switched back on, or given a new interval: the deadline counts from now.
        screen.heartbeat_due_at = status.due_after(screen, max(now, screen.last_heartbeat_at or now))
        if "active" in changed:
            screen.offline_since = None
    if any(k in changed for k in SHOWN) or ("active" in changed and screen.active):
        bump([screen.id], "profile", now)
    screen.updated_at = now
    return changed


def rotate_token(screen: Screen, now: datetime) -> str:
    token = tokens.new_token()
    screen.token_hash = tokens.digest(token)
    screen.token_set_at = now
    return token


def bump(screen_ids: list[int], reason: str, now: datetime) -> None:
    """Raise these screens' feed versions for a reason other than a publication."""
    if not screen_ids:
        return
    db.session.flush()
    table = Screen.__table__
    db.session.execute(
        update(table)
        .where(table.c.id.in_(screen_ids))
        .values(feed_version=table.c.feed_version + 1, feed_digest=None, feed_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    ts = ScreenFeedVersion.__table__.c.created_at.type
    db.session.execute(
        insert(ScreenFeedVersion.__table__).from_select(
            ["screen_id", "version", "revision_id", "reason", "created_at"],
            select(
                table.c.id, table.c.feed_version, literal(None, Integer), literal(reason), literal(now, ts)
            ).where(table.c.id.in_(screen_ids)),
        )
    )
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Screen) and obj.id in screen_ids:
            db.session.expire(obj)
