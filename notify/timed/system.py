"""The system actor: who a scheduled job acts as when it goes through the lifecycle guard.

The guard wants a User with a role; the scheduler is none of the people. One inactive office
user per jurisdiction stands for it, so the trail says "the scheduler published" rather than
pretending a person did, and it can never log in (inactive, unusable password).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from notify.extensions import db
from notify.models import Jurisdiction, Role, User

SYSTEM_NAME = "系统定时任务"


def system_username(jurisdiction: Jurisdiction) -> str:
    return f"system-{jurisdiction.code}"


def system_actor(jurisdiction: Jurisdiction) -> User:
    username = system_username(jurisdiction)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            jurisdiction=jurisdiction,
            username=username,
            display_name=SYSTEM_NAME,
            role=Role.OFFICE_STAFF.value,
            active=False,
            password_hash="!" + secrets.token_hex(16),
        )  # no hash matches it
        db.session.add(user)
        db.session.flush()
    return user
