"""Integrations of the JSON API: registering them, issuing and revoking tokens, the acting
user's confirmation, authenticating.

The console and the API both call these; every change is an audit event. A token is
`cwp_` + 43 URL-safe characters (256 random bits). Only its SHA-256 is stored: with that much
entropy a slow password hash buys nothing, and a lookup by digest stays one indexed query.

The administrator registers an integration, but an integration that acts as a person works
only once that person, logged in to the console, has confirmed it: otherwise whoever creates
integrations could act as anyone (an office token and a commander token made by one
administrator took a red warning from draft to publication on their own).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from notify import audit, clock
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted
from notify.models import API_SCOPES, WRITE_SCOPES, ApiToken, Integration, User

TOKEN_PREFIX = "cwp_"
# last_used_at is refreshed at most this often, so that reads do not each cost a write.
LAST_USED_GRANULARITY = timedelta(seconds=60)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class IntegrationData:
    name: str
    scopes: list[str]
    acting_user: User | None = None
    description: str = ""
    active: bool = True


def _validate(data: IntegrationData, jurisdiction_id: int) -> None:
    errors = {}
    if not data.name.strip():
        errors["name"] = _l("A name is required.")
    elif len(data.name.strip()) > 100:
        errors["name"] = _l("The name is longer than 100 characters.")
    if "approve" in data.scopes:
        errors["scopes"] = _l(
            "An integration can never approve: approving, returning and rejecting are decided by "
            "a person in the console."
        )
    elif not data.scopes or set(data.scopes) - set(API_SCOPES):
        errors["scopes"] = _l("Choose at least one of the scopes read, read_drafts, draft, publish.")
    if set(data.scopes) & set(WRITE_SCOPES):
        user = data.acting_user
        if user is None:
            errors["acting_user"] = _l("An integration that writes acts as a console user; choose one.")
        elif user.jurisdiction_id != jurisdiction_id or not user.active:
            errors["acting_user"] = _l("Choose an active user of this jurisdiction.")
    if errors:
        raise InvalidProposal(errors)


def _acting_user(data: IntegrationData) -> User | None:
    # Only writes act as someone; a reader acting as a person would wait for a needless consent.
    return data.acting_user if set(data.scopes) & set(WRITE_SCOPES) else None


def create_integration(jurisdiction_id: int, data: IntegrationData, actor: User) -> Integration:
    _validate(data, jurisdiction_id)
    acting_user = _acting_user(data)
    integration = Integration(
        jurisdiction_id=jurisdiction_id,
        name=data.name.strip(),
        description=data.description.strip(),
        scopes=[s for s in API_SCOPES if s in data.scopes],
        acting_user=acting_user,
        active=data.active,
        created_by=actor,
        created_at=clock.now(),
    )
    db.session.add(integration)
    db.session.flush()
    audit.record(
        "integration.create",
        actor=actor,
        subject=integration,
        summary=integration.name,
        detail={
            "scopes": integration.scopes,
            "acting_user": acting_user.username if acting_user else None,
            "awaiting_consent": integration.awaiting_consent,
        },
    )
    return integration


def update_integration(integration: Integration, data: IntegrationData, actor: User) -> dict:
    _validate(data, integration.jurisdiction_id)
    new = {
        "name": data.name.strip(),
        "description": data.description.strip(),
        "scopes": [s for s in API_SCOPES if s in data.scopes],
        "acting_user_id": acting_user.id if (acting_user := _acting_user(data)) else None,
        "active": data.active,
    }
    changed = {}
    for name, value in new.items():
        old = getattr(integration, name)
        if old != value:
            changed[name] = [old, value]
            setattr(integration, name, value)
    if "acting_user_id" in changed:
        # Another person's confirmation never carries over (Integration.consented checks it too).
        _forget_consent(integration)
    audit.record(
        "integration.update",
        actor=actor,
        subject=integration,
        summary=integration.name,
        detail={"changed": changed, "awaiting_consent": integration.awaiting_consent},
    )
    return changed


def acting_as(user: User) -> list[Integration]:
    """The integrations of the user's jurisdiction that act as them, for them to confirm or not."""
    return list(
        db.session.scalars(
            select(Integration)
            .where(Integration.acting_user_id == user.id, Integration.jurisdiction_id == user.jurisdiction_id)
            .order_by(Integration.name)
        )
    )


def confirm_acting(integration: Integration, user: User) -> None:
    """The acting user, logged in, agrees that the integration acts as them with its scopes."""
    if integration.acting_user_id != user.id or integration.jurisdiction_id != user.jurisdiction_id:
        raise NotPermitted(_l("Only the person an integration acts as can confirm it."))
    integration.consented_by_id = user.id
    integration.consented_at = clock.now()
    integration.consented_scopes = list(integration.scopes or [])
    audit.record(
        "integration.consent",
        actor=user,
        subject=integration,
        summary=integration.name,
        detail={
            "scopes": integration.consented_scopes,
            "created_by": integration.created_by.username if integration.created_by else None,
        },
    )


def withdraw_consent(integration: Integration, user: User) -> bool:
    """The acting user takes their confirmation back (or refuses it): the integration stops."""
    if integration.acting_user_id != user.id or integration.jurisdiction_id != user.jurisdiction_id:
        raise NotPermitted(_l("Only the person an integration acts as can confirm it."))
    if integration.consented_at is None:
        return False
    _forget_consent(integration)
    audit.record("integration.consent_withdraw", actor=user, subject=integration, summary=integration.name)
    return True


def _forget_consent(integration: Integration) -> None:
    integration.consented_by_id = None
    integration.consented_at = None
    integration.consented_scopes = None


def issue_token(integration: Integration, actor: User) -> str:
    """A new token for the integration; the caller shows it once, it is never readable again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        integration=integration,
        token_hash=digest(token),
        prefix=token[:10],
        created_by=actor,
        created_at=clock.now(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "integration.token_issue",
        actor=actor,
        subject=integration,
        summary=integration.name,
        detail={"token_id": row.id, "prefix": row.prefix},
    )
    return token


def revoke_token(token: ApiToken, actor: User) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = clock.now()
    audit.record(
        "integration.token_revoke",
        actor=actor,
        subject=token.integration,
        summary=token.integration.name,
        detail={"token_id": token.id, "prefix": token.prefix},
    )
    return True


def authenticate(token: str, now: datetime | None = None) -> tuple[Integration, ApiToken] | None:
    """The active integration and live token a presented token belongs to, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or not row.integration.active:
        return None
    now = now or clock.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_GRANULARITY:
        # Its own short transaction: a refused write must not take the usage stamp down with it.
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        db.session.commit()
    return row.integration, row
