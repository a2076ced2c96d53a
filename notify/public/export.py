"""The static export: every public page (both languages), the feeds and the CAP documents as
files that any web server can serve, regenerated after each publication commits.

Pages are rendered by the app's own views (so a file is byte for byte what the app would
answer) into PUBLIC_EXPORT_DIR:

    index.html, history.html, warnings/<ref>.html, advice.html, advice/<kind>/<level>.html
    en/index.html, en/history.html, en/warnings/<ref>.html, en/advice…      (English twins)
    feeds/cap.atom, feeds/history.atom, cap/<identifier>.xml, static/site.css
    manifest.json     URL → file, type, ETag, Last-Modified (written last)
    .owner.json       the database the folder belongs to (export_owner.py; written first)

nginx: `root <dir>; try_files $uri $uri.html $uri/index.html =404;` (see README). Files are
replaced atomically and only when their bytes change, so an unchanged file keeps its ETag and
Last-Modified. A failed export removes the manifest, and the app falls back to rendering.

Nothing here decides when to export: changes ask for it (export_requests.py) and the runner
(export_runner.py) exports off the request, retrying failures; `flask public-export` by hand.
"""

from __future__ import annotations

import contextvars
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import format_datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from notify import clock
from notify.cap.identifiers import message_for
from notify.extensions import db
from notify.lifecycle import queries as lifecycle_queries
from notify.models import CapMessage, Revision, Warning
from notify.public import export_owner, queries
from notify.public.export_requests import refresh_export  # noqa: F401  (jobs stored under this name)
from notify.public.views import twin_rule

MANIFEST = "manifest.json"
ENVIRON_KEY = "notify.public.exporting"  # requests of the export itself skip the fast path

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/cap+xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
STATIC_FILES = ("site.css",)


def export_dir(app: Flask) -> Path:
    """PUBLIC_EXPORT_DIR, else the folder that follows the app's database."""
    configured = app.config.get("PUBLIC_EXPORT_DIR")
    if configured:
        return Path(configured)
    return export_owner.default_dir(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)


def file_for(url: str) -> str:
    """The exported file of a URL path: / → index.html, /en/ → en/index.html, /history →
    history.html; feeds, CAP documents and static files keep their names."""
    path = url.lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    if Path(path).suffix in (".atom", ".xml", ".css"):
        return path
    return path + ".html"


def urls(app: Flask) -> Iterator[str]:
    """Every URL the export holds, given the database now."""
    j = lifecycle_queries.jurisdiction_by_code(app.config["JURISDICTION_CODE"])
    if j is None:
        return
    pages = ["/", "/history", "/advice"]
    pages += [f"/warnings/{w.reference}" for w in queries.public_warnings(j.id)]
    pages += [f"/advice/{k.code}/{lv.code}" for k in queries.kinds_with_levels(j.id) for lv in k.levels]
    for page in pages:
        yield page
        yield twin_rule(page)
    yield "/feeds/cap.atom"
    yield "/feeds/history.atom"
    for identifier in _public_identifiers(j.id):
        yield f"/cap/{identifier}.xml"


def _public_identifiers(jurisdiction_id: int) -> list[str]:
    published = (
        select(Revision)
        .join(Warning)
        .where(
            Warning.jurisdiction_id == jurisdiction_id,
            Warning.is_exercise.is_(False),
            Revision.state == "published",
        )
    )
    # Revisions published before CAP existed get their identifiers here, once.
    missing = db.session.scalars(
        published.outerjoin(CapMessage, CapMessage.revision_id == Revision.id)
        .where(CapMessage.id.is_(None))
        .order_by(Revision.published_at)
    ).all()
    for revision in missing:
        message_for(revision)
    db.session.commit()
    return list(
        db.session.scalars(
            select(CapMessage.identifier)
            .join(Revision, CapMessage.revision_id == Revision.id)
            .join(Warning)
            .where(
                Warning.jurisdiction_id == jurisdiction_id,
                Warning.is_exercise.is_(False),
                Revision.state == "published",
            )
            .order_by(CapMessage.id)
        )
    )


@contextmanager
def _locked(directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one export at a time, across workers
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_if_changed(target: Path, body: bytes) -> bool:
    if target.exists() and target.read_bytes() == body:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(body)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return True


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def export(app: Flask) -> dict:
    """Regenerate the export now; returns the manifest. Runs in a context (and database session)
    of its own, so the caller's transaction is neither used nor committed.

    Raises export_owner.ForeignFolder, writing nothing, when the folder belongs to another
    database; any other failure removes the manifest and is raised too.
    """
    return contextvars.Context().run(_export, app)


def _export(app: Flask) -> dict:
    directory = export_dir(app)
    with app.app_context():
        try:
            install = export_owner.install_id()
            db.session.commit()
            fingerprint = export_owner.app_fingerprint(app)
            export_owner.check(directory, install, fingerprint)  # before the lock file is made
            with _locked(directory):
                export_owner.claim(directory, install, fingerprint)
                try:
                    return _export_locked(app, directory)
                except Exception:
                    # Never leave a manifest that could describe a half-written export.
                    (directory / MANIFEST).unlink(missing_ok=True)
                    raise
        finally:
            db.session.remove()


def _export_locked(app: Flask, directory: Path) -> dict:
    old = read_manifest(directory) or {}
    old_files = old.get("files", {})
    now_http = format_datetime(clock.now().replace(microsecond=0), usegmt=True)
    files: dict[str, dict] = {}
    for url in list(urls(app)):
        files[url] = _entry(directory, url, render(app, url), old_files.get(url), now_http)
    assert app.static_folder is not None  # the app factory always gives the package's folder
    static_dir = Path(app.static_folder)
    for name in STATIC_FILES:
        url = f"{app.static_url_path}/{name}"
        files[url] = _entry(directory, url, (static_dir / name).read_bytes(), old_files.get(url), now_http)
    manifest = {"generated": now_http, "files": files}
    keep = {entry["file"] for entry in files.values()} | {MANIFEST, ".lock", export_owner.OWNER_FILE}
    _write_if_changed(directory / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    for path in directory.rglob("*"):
        if path.is_file() and str(path.relative_to(directory)) not in keep:
            path.unlink()
    return manifest


def render(app: Flask, url: str) -> bytes:
    """The body the app answers for `url` to a visitor without cookies.

    Only the view runs, not the before-request hooks: those start per-process machinery (the
    dispatch threads) that has no business in a CLI command or a scheduler job that exports.
    """
    with app.test_request_context(url, environ_overrides={ENVIRON_KEY: True}):
        try:
            response = app.make_response(app.dispatch_request())
        except HTTPException as exc:
            raise RuntimeError(f"export: {url} answered {exc.code}") from None
        if response.status_code != 200:
            raise RuntimeError(f"export: {url} answered {response.status_code}")
        return response.get_data()


def _entry(directory: Path, url: str, body: bytes, old: dict | None, now_http: str) -> dict:
    name = file_for(url)
    etag = etag_of(body)
    changed = _write_if_changed(directory / name, body)
    modified = old["modified"] if (old and old.get("etag") == etag and not changed) else now_http
    return {"file": name, "type": TYPES[Path(name).suffix], "etag": etag, "modified": modified}


def read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def clear(app: Flask) -> None:
    """Remove the export (the app then renders every page)."""
    shutil.rmtree(export_dir(app), ignore_errors=True)
