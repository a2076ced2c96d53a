"""Error pages: every failure a person can cause is a 4xx with a message, never a 500 page."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from notify import api

MESSAGES = {
    400: _l("The request was not understood."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing at this address."),
    405: _l("That is not how this page is used."),
    409: _l("That conflicts with the current state."),
    413: _l("What you sent is too large."),
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        message = _l("The form's security token is missing or expired. Reload the page and try again.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if api.is_api_request(request.path):  # routing failures under /api/ answer in its JSON shape
            return api.errors.response(api.errors.from_http(err))
        code = err.code or 500
        message = MESSAGES.get(code, err.description)
        return render_template("error.html", code=code, message=message), code
