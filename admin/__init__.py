"""The admin console: drafting, approving and publishing warnings; directory and settings."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from admin.views import auth, consultations, directory, tipoffs, warnings  # noqa: E402,F401
