"""Every answer carries the security headers, the exported pages served from memory too, and no
template holds an inline script the policy would block (issue 13, item 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notify.public import export
from notify.security_headers import POLICY

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [
    ROOT / "notify" / "templates",
    ROOT / "admin" / "templates",
    ROOT / "notify" / "api" / "templates",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
# Event-handler attributes, written in the HTML or passed to a form field in a template call.
EVENTS = (
    r"abort|blur|change|click|contextmenu|copy|cut|dblclick|drag\w*|drop|error|focus\w*|hashchange|input|"
    r"invalid|key\w+|load|message|mouse\w+|paste|pointer\w+|reset|resize|scroll|select|submit|toggle|"
    r"touch\w+|unload|beforeunload|wheel"
)
HANDLER = re.compile(rf"\bon(?:{EVENTS})\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _assert_protected(response, *, https: bool = False) -> None:
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script_src.split()[1:] == ["'self'"], policy  # no 'unsafe-inline', no other origin
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) is https


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/history",
        "/advice",
        "/tipoffs/new",
        "/admin/login",
        "/api/v1/docs",
        "/nowhere",
        "/static/site.css",
    ],
)
def test_every_answer_carries_the_headers(client, sample_jurisdiction, path):
    _assert_protected(client.get(path))


def test_hsts_only_over_https(client, sample_jurisdiction):
    _assert_protected(client.get("/", base_url="https://warnings.example.cn"), https=True)


def test_exported_pages_served_from_memory_carry_them_too(app, client, sample_published):
    export.export(app)
    try:
        response = client.get("/")
        assert response.status_code == 200 and response.headers.get("ETag")  # from the export
        _assert_protected(response)
    finally:
        export.clear(app)


def test_the_policy_allows_no_inline_script():
    assert "'unsafe-inline'" not in next(d for d in POLICY.split(";") if "script-src" in d)


def test_no_template_has_an_inline_script_or_handler():
    found = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for pattern in (INLINE_SCRIPT, HANDLER, JS_URL):
                found += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert found == []
