"""The one error shape of the API: {"error": {"code", "message", "fields"}}.

Every refusal is a 4xx in this shape, whether a view raised it, the lifecycle refused, or the
router found no such address or method.
"""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from notify.lifecycle.errors import (
    AudienceChanged,
    InvalidProposal,
    LifecycleError,
    NotPermitted,
    OverlapNotConfirmed,
    StaleForm,
)

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    500: "internal_error",
}
MESSAGES = {
    400: _l("The request was not understood."),
    401: _l("Send a valid API token: Authorization: Bearer <token>."),
    403: _l("This token may not do that."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not take that method."),
    413: _l("What you sent is too large."),
    415: _l("Send a JSON body with Content-Type: application/json."),
    500: _l("Something went wrong on our side; nothing was changed."),
}

# The domain names a few fields as the console's form does; the API's bodies name them so.
DOMAIN_TO_API = {"consultation": "consultation_id"}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message=None,
        *,
        code: str | None = None,
        fields: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(str(message or MESSAGES.get(status, "")))
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message or MESSAGES.get(status, "")
        self.fields = fields or {}
        self.headers = headers or {}


def invalid(fields: dict, message=None) -> ApiError:
    return ApiError(400, message or next(iter(fields.values())), code="invalid", fields=fields)


def response(err: ApiError):
    body = {
        "error": {
            "code": err.code,
            "message": str(err.message),
            "fields": {k: str(v) for k, v in err.fields.items()},
        }
    }
    resp = jsonify(body)
    resp.status_code = err.status
    for name, value in err.headers.items():
        resp.headers[name] = value
    if err.status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return resp


def from_lifecycle(err: LifecycleError) -> ApiError:
    if isinstance(err, OverlapNotConfirmed):
        return ApiError(409, err.message, code="overlap", fields=err.errors)
    if isinstance(err, InvalidProposal):
        return invalid({DOMAIN_TO_API.get(k, k): v for k, v in err.errors.items()}, err.message)
    if isinstance(err, NotPermitted):
        return ApiError(403, err.message, code="not_permitted")
    if isinstance(err, StaleForm):
        return ApiError(409, err.message, code="stale")
    if isinstance(err, AudienceChanged):
        return ApiError(409, err.message, code="audience_changed")
    return ApiError(err.status_code, err.message, code="wrong_state")


def from_http(err: HTTPException) -> ApiError:
    status = err.code or 500
    if status not in CODES:
        status = 400 if status < 500 else 500
    headers = {}
    valid_methods = getattr(err, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    return ApiError(status, MESSAGES.get(status) or _("The request was not understood."), headers=headers)
