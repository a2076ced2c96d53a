"""Short signed acknowledgement links: one per school and revision.

The token names the revision and the school (base 36) and carries an HMAC-SHA256 of them, cut
to 96 bits so the link stays short in an SMS: a forger must guess online, one request at a time.
It carries no expiry of its own: a link lives as long as its revision is the warning's current
one and its episode has not ended, which only the database knows.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, Signer
from itsdangerous.signer import HMACAlgorithm

SALT = "school-ack"
SIGNATURE_BYTES = 12
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class _ShortHMAC(HMACAlgorithm):
    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.new(key, msg=value, digestmod=hashlib.sha256).digest()[:SIGNATURE_BYTES]


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=SALT, sep=".", algorithm=_ShortHMAC(hashlib.sha256))


def _b36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


def make(revision_id: int, school_id: int) -> str:
    return _signer().sign(f"{_b36(revision_id)}-{_b36(school_id)}").decode()


def read(token: str) -> tuple[int, int] | None:
    """(revision_id, school_id) of an authentic token; None for anything else."""
    if not token or len(token) > 80:
        return None
    try:
        value = _signer().unsign(token).decode()
    except (BadSignature, UnicodeError):
        return None
    revision, _, school = value.partition("-")
    try:
        return int(revision, 36), int(school, 36)
    except ValueError:
        return None


def link(revision_id: int, school_id: int) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/a/{make(revision_id, school_id)}"
