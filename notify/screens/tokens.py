"""Per-screen gateway tokens: random, shown once, stored as a SHA-256 digest.

A token has 192 random bits, so a fast digest is enough (there is nothing to guess a password
from); comparing digests in constant time keeps the check from leaking a prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(24)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(token), stored_digest or "")
