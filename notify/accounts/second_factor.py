"""The optional TOTP second factor (RFC 6238, 6 digits every 30 s, as authenticator apps make).

Offered to approvers and administrators; once enrolled it is asked at every log-in, and an
administrator can require it of a user, who then must enrol before using the console. A code is
accepted once: the step it belongs to is kept, and that step or an earlier one is refused.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno

from notify.models import User
from notify.models.users import Role

ROLES = (Role.DEPUTY_COMMANDER.value, Role.COMMANDER.value, Role.ADMIN.value)
STEP_SECONDS = 30
# One step either side of now: a phone's clock a little off, or a code typed as it changed.
DRIFT_STEPS = 1


def offered_to(user: User) -> bool:
    return user.role in ROLES


def asked_at_login(user: User) -> bool:
    return user.totp_enrolled


def must_enrol(user: User) -> bool:
    # The requirement follows the role: it waits while the user holds a role that has no use for it.
    return user.totp_required and not user.totp_enrolled and offered_to(user)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_code(uri: str) -> str:
    """The enrolment QR code as an SVG data URI, for an <img> on the page."""
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def verify(user: User, code: str, now: datetime) -> bool:
    """Whether this is a fresh code of the user's enrolled secret; a good code is used up."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def pending_secret(user: User) -> str:
    """The key offered for enrolment: made once and kept on the user's row (the signed session
    cookie can be read by whoever holds it) until a code confirms it."""
    if not user.totp_pending_secret:
        user.totp_pending_secret = new_secret()
    return user.totp_pending_secret


def enrol(user: User, code: str, now: datetime) -> bool:
    """Keep the pending key if the code shows the user's app has it."""
    secret = user.totp_pending_secret
    step = _matching_step(secret, code, now) if secret else None
    if step is None:
        return False
    user.totp_secret, user.totp_last_step, user.totp_pending_secret = secret, step, None
    return True


def remove(user: User) -> None:
    user.totp_secret, user.totp_last_step = None, None
