"""Token authentication per integration: `Authorization: Bearer <token>`.

401 when the token is missing, unknown, revoked or its integration switched off; 403 when the
integration lacks the scope, or acts as a person who has not confirmed it yet. Writes act as the
integration's acting user, so the lifecycle guard checks that user's role exactly as it would in
the console; decisions on a proposal are never taken through the API (see refuse_decision).
"""

from __future__ import annotations

from functools import wraps
from typing import NoReturn

from flask import g, request
from flask_babel import lazy_gettext as _l

from notify import integrations
from notify.api.errors import ApiError
from notify.models import WRITE_SCOPES, ApiToken, Integration, User


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _authenticated() -> tuple[Integration, ApiToken]:
    token = _bearer()
    found = integrations.authenticate(token) if token else None
    if found is None:
        raise ApiError(401)
    integration, row = found
    if integration.awaiting_consent:
        user = integration.acting_user
        raise ApiError(
            403,
            _l(
                "This integration acts as %(user)s, who has not confirmed it yet: they confirm it "
                "themselves, logged in to the console (Integrations acting as you).",
                user=user.username if user else "?",
            ),
            code="awaiting_consent",
        )
    g.integration, g.api_token = integration, row
    return integration, row


def require(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            integration, _row = _authenticated()
            # Drafting implies reading drafts (Integration.reads_drafts).
            held = integration.reads_drafts if scope == "read_drafts" else integration.has_scope(scope)
            if not held:
                raise ApiError(
                    403,
                    _l("This integration lacks the “%(scope)s” scope.", scope=scope),
                    code="missing_scope",
                )
            if scope in WRITE_SCOPES:
                user = integration.acting_user
                if user is None or not user.active or user.jurisdiction_id != integration.jurisdiction_id:
                    raise ApiError(
                        403, _l("This integration has no active acting user."), code="no_acting_user"
                    )
                g.actor = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


def refuse_decision() -> NoReturn:
    """Approve, return and reject: refused to every token, whatever its scopes (401 without one).

    The approver's decision is their own, taken logged in to the console; a token could be held
    by anyone, so an integration never decides on a proposal."""
    _authenticated()
    raise ApiError(
        403,
        _l(
            "Approving, returning and rejecting are never done through an integration: the "
            "approver decides logged in to the console."
        ),
        code="decision_in_console",
    )


def integration() -> Integration:
    return g.integration


def reads_drafts() -> bool:
    """Whether this token may see what is not published (drafts, proposals, approval forms)."""
    return bool(g.integration.reads_drafts)


def actor() -> User:
    return g.actor


def jurisdiction_id() -> int:
    return g.integration.jurisdiction_id
