"""The console's alarm while the public site's export keeps failing: on every console page, for
everyone logged in, until an export succeeds (notify/public/export_runner.py)."""

from __future__ import annotations

from flask_login import current_user

from admin import bp
from notify.public import export_runner


@bp.app_context_processor
def _public_export_alarm():
    def public_export_alarm() -> export_runner.Alarm | None:
        if not getattr(current_user, "is_authenticated", False):
            return None
        return export_runner.alarm()

    return {"public_export_alarm": public_export_alarm}
