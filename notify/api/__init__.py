"""The JSON API at /api/v1: read endpoints and the console's write endpoints, per integration token.

Token-authenticated requests carry no cookie session, so CSRF protection does not apply to them;
the blueprint is exempt while the console keeps it.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from werkzeug.exceptions import HTTPException, InternalServerError

from notify.api import errors
from notify.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
PREFIX = "/api/"


@bp.errorhandler(errors.ApiError)
def _api_error(err: errors.ApiError):
    return errors.response(err)


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return errors.response(errors.from_http(err))


@bp.errorhandler(InternalServerError)
def _server_error(err: InternalServerError):
    return errors.response(errors.ApiError(500))


def is_api_request(path: str) -> bool:
    """Routing failures (no such address or method) happen before a blueprint is known."""
    return path.startswith(PREFIX)


def init_app(app: Flask) -> None:
    # The route modules import bp from this package: imported once it exists, by the app factory.
    from notify.api import consultations, docs, reference, revisions, warnings  # noqa: F401

    csrf.exempt(bp)
    app.register_blueprint(bp)
