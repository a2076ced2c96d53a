"""A thin WSGI layer in front of Flask that answers exported public URLs from memory.

A busy warning day means many people reloading the current-warning page. Going through Flask
(request context, session, locale, template) for bytes that only change on publication would cap
the app at a fraction of what the machine can serve, so GET/HEAD requests for a URL in the export
are answered here with the exported bytes, their ETag, Last-Modified and Cache-Control, and a 304
when the client already has them. Anything else (a query string, another method, a URL not in
the export, no export at all) goes to Flask unchanged.

Workers notice a new export by the manifest's stat (one syscall a request) and reload it. Only a
folder whose owner marker names this app's database is served (export_owner.py): the export of
another database (a benchmark's, a test's) is never answered as this site's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

from notify.public import export_owner
from notify.public.export import ENVIRON_KEY, MANIFEST, export_dir, read_manifest

LANG_COOKIE = re.compile(r"(?:^|;)\s*lang=([^;\s]*)")
PAGE_MAX_AGE = 60
CAP_MAX_AGE = 3600


class _Entry:
    __slots__ = ("body", "etag", "modified", "headers", "headers_304")

    def __init__(self, body: bytes, content_type: str, etag: str, modified: str, cache: str, vary: bool):
        self.body = body
        self.etag = etag
        self.modified = modified
        common = [("ETag", etag), ("Last-Modified", modified), ("Cache-Control", cache)]
        if vary:
            common.append(("Vary", "Cookie"))
        self.headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))] + common
        self.headers_304 = common


class ExportedSite:
    def __init__(self, app: Callable, directory: str | Path, owner: Callable[[], str | None]):
        """owner: this database's install id, asked each time the manifest changes."""
        self.app = app
        self.directory = Path(directory)
        self.owner = owner
        self.manifest_path = self.directory / MANIFEST
        self._stamp: tuple | None = None
        self._entries: dict[str, _Entry] = {}
        self._english: dict[str, str] = {}

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if (
            (method == "GET" or method == "HEAD")
            and not environ.get("QUERY_STRING")
            and ENVIRON_KEY not in environ
        ):
            entries = self._current()
            if entries:
                path = environ.get("PATH_INFO") or "/"
                entry = entries.get(path)
                if entry is not None:
                    twin = self._english.get(path)
                    if twin is not None:
                        cookie = environ.get("HTTP_COOKIE")
                        if cookie and "lang=" in cookie:
                            match = LANG_COOKIE.search(cookie)
                            if match and match.group(1) == "en":
                                entry = entries[twin]
                    return self._serve(entry, environ, start_response, method)
        return self.app(environ, start_response)

    def _serve(self, entry: _Entry, environ, start_response, method):
        if self._not_modified(entry, environ):
            start_response("304 Not Modified", entry.headers_304)
            return [b""]
        start_response("200 OK", entry.headers)
        return [b""] if method == "HEAD" else [entry.body]

    @staticmethod
    def _not_modified(entry: _Entry, environ) -> bool:
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted is not None:
            if wanted.strip() == "*":
                return True
            tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
            return entry.etag in tags
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if since:
            try:
                return parsedate_to_datetime(since) >= parsedate_to_datetime(entry.modified)
            except (TypeError, ValueError):
                return False
        return False

    def _current(self) -> dict[str, _Entry]:
        try:
            st = os.stat(self.manifest_path)
        except OSError:
            self._stamp, self._entries, self._english = None, {}, {}
            return self._entries
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._load(stamp)
        return self._entries

    def _load(self, stamp: tuple | None) -> None:
        entries: dict[str, _Entry] = {}
        if not export_owner.owned_by(self.directory, self.owner()):
            # Another database's export: render until this database's own export replaces it.
            self._stamp, self._entries, self._english = stamp, entries, {}
            return
        manifest = read_manifest(self.directory)
        try:
            for url, meta in (manifest or {}).get("files", {}).items():
                body = (self.directory / meta["file"]).read_bytes()
                page = meta["type"].startswith("text/html")
                english = url == "/en/" or url.startswith("/en/")
                cache = f"public, max-age={CAP_MAX_AGE if url.startswith('/cap/') else PAGE_MAX_AGE}"
                entries[url] = _Entry(
                    body, meta["type"], meta["etag"], meta["modified"], cache, vary=page and not english
                )
        except (OSError, KeyError, TypeError):
            entries = {}  # an export being replaced under us: render until it is complete
            stamp = None
        self._entries = entries
        self._english = {
            url: ("/en/" if url == "/" else "/en" + url)
            for url in entries
            if entries[url].headers[0][1].startswith("text/html")
            and not url.startswith("/en/")
            and ("/en/" if url == "/" else "/en" + url) in entries
        }
        self._stamp = stamp


def install(app) -> None:
    """Put the layer in front of the Flask app (once)."""
    if not isinstance(app.wsgi_app, ExportedSite):
        app.wsgi_app = ExportedSite(
            app.wsgi_app, export_dir(app), owner=lambda: export_owner.stored_install_id(app)
        )
