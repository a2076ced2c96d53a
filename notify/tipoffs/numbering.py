"""Ticket numbers (readable, sequential per day) and query codes (random, secret).

The number alone opens nothing: it is guessable by design, so that it can be read over the
phone. The status page also needs the query code, 12 characters from a 31-letter alphabet
(about 59 bits), which is stored only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from notify.extensions import db
from notify.models import Tipoff

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def ticket_prefix(now: datetime, tz: str) -> str:
    return f"JB-{now.astimezone(ZoneInfo(tz)):%Y%m%d}-"


def next_ticket_number(now: datetime, tz: str) -> str:
    """The next free number of the day. Two submissions in the same instant may compute the
    same one; the unique constraint refuses the second and the caller tries again."""
    prefix = ticket_prefix(now, tz)
    last = db.session.scalar(
        select(func.max(Tipoff.ticket_number)).where(Tipoff.ticket_number.like(prefix + "%"))
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def new_query_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").upper()


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def code_matches(tipoff: Tipoff | None, code: str | None) -> bool:
    # Compare even when there is no ticket, so timing does not tell which numbers exist.
    expected = tipoff.query_code_hash if tipoff is not None else "0" * 64
    return hmac.compare_digest(hash_code(code or ""), expected) and tipoff is not None


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to copy from an SMS."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
