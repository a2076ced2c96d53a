"""Console views, one module per area. The dispatch, audience and SMS-preview pages register
here, so that admin/__init__.py's import line stays as it is."""

from admin.views import (  # noqa: F401  # noqa: F401
    audiences,
    audit_log,
    cap_import,  # noqa: F401,E402
    daily_reports,
    dispatch,
    enterprise_duties,
    enterprise_plans,
    enterprises,
    integrations,  # noqa: F401
    records,
    robots,  # noqa: F401,E402
    role_names,
    schools,  # noqa: F401,E402
    screens,  # noqa: F401,E402
    site_export,  # the alarm on every console page while the public site's export fails
    sms_preview,
    withdrawals,
)
