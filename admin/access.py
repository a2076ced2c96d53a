"""Who may open which console page."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, url_for
from flask_login import current_user, login_required

from notify.accounts import second_factor
from notify.models import Role

# Every console role: the pages every signed-in user may read (registries, plans).
EVERY_ROLE = tuple(r.value for r in Role)


def roles_required(*roles: str, before_enrolment: bool = False):
    """Log-in required, and (if roles are given) one of them; anything else is a 403.

    A user of whom an administrator requires a second factor is sent to enrol first, except on
    the pages marked `before_enrolment` (enrolling itself, the password, logging out). The roles
    are kept on the view (`allowed_roles`; empty: every logged-in user), where the authorization
    matrix test reads them.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if roles and current_user.role not in roles:
                abort(403)
            if not before_enrolment and second_factor.must_enrol(current_user):
                return redirect(url_for("admin.second_factor"))
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator
