"""The public site: current warnings with their advice, and the history of published revisions."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from notify.public import views, tipoffs  # noqa: E402,F401
