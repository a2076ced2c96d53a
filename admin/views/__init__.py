"""Console views, one module per area. The dispatch, audience and SMS-preview pages register
here, so that admin/__init__.py's import line stays as it is."""
from admin.views import audiences, dispatch, sms_preview  # noqa: F401
from admin.views import schools  # noqa: F401,E402
from admin.views import integrations  # noqa: F401
from admin.views import cap_import  # noqa: F401,E402
from admin.views import daily_reports, records  # noqa: F401
from admin.views import robots  # noqa: F401,E402
from admin.views import screens  # noqa: F401,E402
