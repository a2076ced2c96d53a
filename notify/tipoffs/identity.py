"""The reporter's identity: stored encrypted, shown only to the office, every view audited.

Member units, commanders and the public never see it: a unit checking an enterprise must not be
able to tell the enterprise who reported it. The office needs it to call back and to pay rewards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from notify import audit
from notify.lifecycle.errors import NotPermitted
from notify.models import Role, Tipoff, User
from notify.tipoffs import crypto

IDENTITY_ROLES = frozenset({Role.OFFICE_STAFF})

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class Identity:
    name: str
    phone: str


def normalise_mobile(raw: str) -> str | None:
    """A mainland mobile number as +86…, or None. SMS confirmations go to mobiles only."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return "+86" + digits if _MOBILE.match(digits) else None


def seal(tipoff: Tipoff, name: str, phone: str) -> None:
    tipoff.reporter_name_token = crypto.encrypt(name)
    tipoff.reporter_phone_token = crypto.encrypt(phone)


def can_view(user: User) -> bool:
    return user.role in IDENTITY_ROLES


def reveal(tipoff: Tipoff, actor: User) -> Identity:
    """Decrypt for an office user and record that they looked (the caller commits)."""
    if not can_view(actor):
        raise NotPermitted(_l("Your role may not see who reported this."))
    if tipoff.anonymous:
        return Identity("", "")
    audit.record(
        "tipoff.identity_viewed",
        actor=actor,
        subject=tipoff,
        summary=f"{tipoff.ticket_number}: reporter identity viewed",
    )
    name, phone = crypto.decrypt(tipoff.reporter_name_token), crypto.decrypt(tipoff.reporter_phone_token)
    unreadable = str(_l("(cannot be decrypted: the encryption key has changed)"))
    return Identity(name if name is not None else unreadable, phone if phone is not None else unreadable)
