"""The reporter's name and phone, encrypted with the key from TIPOFF_ENCRYPTION_KEY (Fernet).

Only notify.tipoffs.identity decrypts, and it writes an audit event each time it does.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    return Fernet(current_app.config["TIPOFF_ENCRYPTION_KEY"].encode())


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str | None:
    """The clear text, or None when the key has changed (the caller says so; the token is kept)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
