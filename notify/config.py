"""Settings come from environment variables; every one has a safe default for the demo."""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'notify.sqlite3'}"
    # Hosting panels hand out postgres:// or postgresql:// URLs; we speak psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/.

    Keeping it in instance/ (never committed) means sessions survive a restart of the demo
    without anyone having to invent a key.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _tipoff_key(instance_path: str) -> str:
    """TIPOFF_ENCRYPTION_KEY (a Fernet key) from the environment, else one generated once.

    It encrypts tip-off reporters' names and phones. Losing it makes them unreadable, so back it
    up apart from the database backups (a stolen database alone must not reveal reporters).
    """
    key = os.environ.get("TIPOFF_ENCRYPTION_KEY")
    if key:
        return key
    path = Path(instance_path) / "tipoff_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def load(instance_path: str) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ("zh_CN", "en"),
        # The jurisdiction this installation serves (GB/T 2260 code); the public site shows it.
        "JURISDICTION_CODE": os.environ.get("JURISDICTION_CODE", "140322"),
        # Where the public site and the console say they live (used in printed links).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "WTF_CSRF_TIME_LIMIT": None,  # a long approval read must not expire the form
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        # Plan §4.2.2: approval form within 1 h of the consultation, publication within 2 h of approval.
        "DEADLINE_APPROVAL_FORM_MINUTES": int(os.environ.get("DEADLINE_APPROVAL_FORM_MINUTES", "60")),
        "DEADLINE_PUBLICATION_MINUTES": int(os.environ.get("DEADLINE_PUBLICATION_MINUTES", "120")),
        # Tip-offs (issue 5): identity key, photo store, limits. Up to 3 photos of 10 MB each and
        # the text fields fit in one request; anything larger is refused before it is read.
        "TIPOFF_ENCRYPTION_KEY": _tipoff_key(instance_path),
        "TIPOFF_PHOTO_DIR": os.environ.get("TIPOFF_PHOTO_DIR", str(Path(instance_path) / "tipoff_photos")),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "TIPOFF_LIMIT_PER_IP": os.environ.get("TIPOFF_LIMIT_PER_IP", "10 per hour;30 per day"),
        "TIPOFF_LIMIT_PER_PHONE": os.environ.get("TIPOFF_LIMIT_PER_PHONE", "3 per hour;5 per day"),
        "TIPOFF_LIMIT_STATUS_PER_IP": os.environ.get("TIPOFF_LIMIT_STATUS_PER_IP", "30 per hour"),
        "TIPOFF_MIN_FILL_SECONDS": int(os.environ.get("TIPOFF_MIN_FILL_SECONDS", "5")),
    }
