"""What the API's resource modules share: lookups within the integration's jurisdiction,
pagination, and one way to run a write (commit, or a 4xx with nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm.exc import StaleDataError

from notify import audit
from notify.api import auth
from notify.api.errors import ApiError, from_lifecycle
from notify.api.schemas import MAX_ID
from notify.extensions import db
from notify.lifecycle.errors import LifecycleError
from notify.models import Revision, Warning

PAGE_PARAMS = {
    "page": {"type": "integer", "minimum": 1, "maximum": 100_000},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
}
DEFAULT_PER_PAGE = 20


def get_own(model, obj_id: int, jurisdiction_of: Callable[[Any], int]):
    # Ids beyond the column's range are simply not there (PostgreSQL would refuse the query).
    obj = db.session.get(model, obj_id) if 1 <= obj_id <= MAX_ID else None
    if obj is None or jurisdiction_of(obj) != auth.jurisdiction_id():
        raise ApiError(404)
    return obj


def own_warning(warning_id: int) -> Warning:
    return get_own(Warning, warning_id, lambda w: w.jurisdiction_id)


def own_revision(revision_id: int) -> Revision:
    return get_own(Revision, revision_id, lambda r: r.warning.jurisdiction_id)


def readable_warning(warning_id: int) -> Warning:
    """A warning this token may read: one never published is a proposal, hidden from `read`."""
    warning = own_warning(warning_id)
    if not auth.reads_drafts() and warning.current is None:
        raise ApiError(404)
    return warning


def readable_revision(revision_id: int) -> Revision:
    """A revision this token may read: `read` alone sees published revisions only."""
    revision = own_revision(revision_id)
    if not auth.reads_drafts() and revision.state != "published":
        raise ApiError(404)
    return revision


def paginate(query: Select, params: dict, serialize) -> dict:
    page = params.get("page", 1)
    per_page = params.get("per_page", DEFAULT_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [serialize(r) for r in rows], "page": page, "per_page": per_page, "total": total or 0}


def write(operation: str, make: Callable[[], Any], *, subject=None, warning_id=None):
    """Run a write as the integration's acting user, with an audit event naming the integration.

    The domain records its own event (revision.submit, consultation.create, …), marked as done
    through the integration like every event recorded meanwhile; this one adds the request and
    the token.
    """
    try:
        with audit.through(g.integration):
            result = make()
            target = subject(result) if callable(subject) else (subject or result)
            audit.record(
                f"api.{operation}",
                actor=auth.actor(),
                subject=target,
                warning_id=warning_id(result) if callable(warning_id) else warning_id,
                summary=f"{g.integration.name}: {request.method} {request.path}",
                detail={
                    "integration_id": g.integration.id,
                    "integration": g.integration.name,
                    "token": g.api_token.prefix,
                },
            )
            # Inside the block: what the commit sets off (timed jobs, exports) came through it too.
            db.session.commit()
    except LifecycleError as err:
        db.session.rollback()
        raise from_lifecycle(err) from None
    except ApiError:
        db.session.rollback()
        raise
    except StaleDataError:  # two writers on the same revision at the same moment
        db.session.rollback()
        raise ApiError(
            409,
            _l("This revision was changed by someone else meanwhile. Read it again and retry."),
            code="stale",
        ) from None
    return result
