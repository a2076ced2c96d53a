"""The one place the platform asks what time it is, so tests can freeze it."""
from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
