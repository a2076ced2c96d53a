"""Token authentication per integration: `Authorization: Bearer <token>`.

401 when the token is missing, unknown, revoked or its integration switched off; 403 when the
integration lacks the scope. Writes act as the integration's acting user, so the lifecycle guard
checks that user's role exactly as it would in the console.
"""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import lazy_gettext as _l

from notify import integrations
from notify.api.errors import ApiError
from notify.models import WRITE_SCOPES, Integration, User


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = _bearer()
            found = integrations.authenticate(token) if token else None
            if found is None:
                raise ApiError(401)
            integration, row = found
            if not integration.has_scope(scope):
                raise ApiError(
                    403,
                    _l("This integration lacks the “%(scope)s” scope.", scope=scope),
                    code="missing_scope",
                )
            g.integration, g.api_token = integration, row
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


def integration() -> Integration:
    return g.integration


def actor() -> User:
    return g.actor


def jurisdiction_id() -> int:
    return g.integration.jurisdiction_id
