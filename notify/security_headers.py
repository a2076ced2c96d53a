"""Security headers on every response, the exported public pages served from memory included.

The Content-Security-Policy lets scripts come only from the app's own static files: no template
has an inline <script> or on…= handler, so an injected one does not run. Styles may also be
inline (a level's colour is set on its badge). No page may be framed, and no answer is sniffed
into another type. HSTS is sent only on HTTPS, where a browser heeds it (behind a proxy, wrap
the app in Werkzeug's ProxyFix so that the scheme is the visitor's).

This is a WSGI layer outside Flask and outside the static-export layer, so one place covers both.
A response that sets a header of its own keeps it.
"""

from __future__ import annotations

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = (
    ("Content-Security-Policy", POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    # The full address only to ourselves: school and report links carry their token in the path.
    ("Referrer-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        https = environ.get("wsgi.url_scheme") == "https"

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            extra = [h for h in HEADERS if h[0].lower() not in present]
            if https and HSTS[0].lower() not in present:
                extra.append(HSTS)
            return start_response(status, list(headers) + extra, exc_info)

        return self.app(environ, start)


def install(app) -> None:
    """Wrap the app's WSGI callable (once), outside every layer installed so far."""
    if not isinstance(app.wsgi_app, SecurityHeaders):
        app.wsgi_app = SecurityHeaders(app.wsgi_app)
