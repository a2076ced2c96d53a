"""Role codes as people read them, for templates: every console page that names a role asks
`role_name` (the names themselves are in admin/labels.py with the other codes)."""

from __future__ import annotations

from admin import bp
from admin.labels import role_label


@bp.app_template_global()
def role_name(code: str | None) -> str:
    return role_label(code)
