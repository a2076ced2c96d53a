"""Whose export a folder holds: every export folder belongs to exactly one database.

A benchmark, a test or a CLI command run in the same checkout must never write its own pages over
a live install's public site. So each database gets a random install id at its first export, the
export writes it into the folder as a marker (OWNER_FILE), and an export refuses, before writing
anything, a folder whose marker names another database. The default folder follows the database
too (default_dir), so a database in a temporary folder never lands on the live install's export;
and the app serves from memory only a folder whose marker names its own database (fastpath).

The marker also carries a fingerprint of the database's address (never the password): when a
database was deleted and created again at the same address (`make clean`, then `make run`), its
old id is gone for good and the new one takes the folder over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import uuid
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from notify.extensions import db
from notify.models.site_exports import STATE_ID, SiteExportState

log = logging.getLogger(__name__)

OWNER_FILE = ".owner.json"
# What an export folder may hold besides its pages before it has a marker: an export from before
# markers existed has its manifest; an empty folder (or one with only the lock) is new.
_LEGACY_EXPORT = "manifest.json"
_IGNORED = {".lock"}


class ForeignFolder(RuntimeError):
    """The export folder belongs to another database; nothing was written into it."""


def default_dir(database_url: str, instance_path: str) -> Path:
    """The export folder of a database when PUBLIC_EXPORT_DIR is not set: beside a SQLite file
    (instance/notify.sqlite3 → instance/notify.public_site), else instance/public_site-<hash of
    the address without its password>."""
    path = _sqlite_file(database_url, instance_path)
    if path is not None:
        return path.with_name(f"{path.stem}.public_site")
    return Path(instance_path) / f"public_site-{database_fingerprint(database_url, instance_path)[:12]}"


def database_fingerprint(database_url: str, instance_path: str) -> str:
    """A stable hash of where the database is (backend, user, host, port, name, or the SQLite
    file's absolute path); the password and the driver play no part."""
    path = _sqlite_file(database_url, instance_path)
    if path is not None:
        label = f"sqlite:{path}"
    else:
        url = make_url(database_url)
        where = f"{url.username or ''}@{url.host or ''}:{url.port or ''}/{url.database or ''}"
        label = f"{url.get_backend_name()}://{where}"
    return hashlib.sha256(label.encode()).hexdigest()


def _sqlite_file(database_url: str, instance_path: str) -> Path | None:
    url = make_url(database_url)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return None
    path = Path(name)
    # Flask-SQLAlchemy opens a relative SQLite path inside the instance folder.
    return (path if path.is_absolute() else Path(instance_path) / path).resolve()


def app_fingerprint(app: Flask) -> str:
    return database_fingerprint(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)


def install_id() -> str:
    """This database's identity, made on first use (in the current session; the caller commits)."""
    found = _stored()
    if found is not None:
        return found
    insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert
    db.session.execute(
        insert(SiteExportState)
        .values(id=STATE_ID, install_id=uuid.uuid4().hex, lease_owner="", attempts=0, last_error="")
        .on_conflict_do_nothing(index_elements=["id"])  # two processes at once: the first one's id
    )
    made = _stored()
    assert made is not None
    return made


def _stored() -> str | None:
    return db.session.scalar(select(SiteExportState.install_id).where(SiteExportState.id == STATE_ID))


def stored_install_id(app: Flask) -> str | None:
    """The install id as the database holds it now, read on a connection of its own (the fast
    path asks outside any request); None when there is none yet or the table is missing."""
    with app.app_context():
        engine = db.engine
    try:
        with engine.connect() as conn:
            return conn.scalar(select(SiteExportState.install_id).where(SiteExportState.id == STATE_ID))
    except Exception:  # not migrated yet, or the database is away: serve nothing from the folder
        log.warning("cannot read the install id; the app renders the public pages", exc_info=True)
        return None


def read_marker(directory: Path) -> dict | None:
    try:
        marker = json.loads((directory / OWNER_FILE).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def owned_by(directory: Path, install: str | None) -> bool:
    marker = read_marker(directory)
    return install is not None and marker is not None and marker.get("install_id") == install


def check(directory: Path, install: str, fingerprint: str) -> None:
    """Raise ForeignFolder unless `directory` is, or may become, this database's export folder."""
    marker = read_marker(directory)
    if marker is None:
        if _holds_other_files(directory):
            raise ForeignFolder(
                f"{directory} holds files that are not a public site export; "
                "empty it or set PUBLIC_EXPORT_DIR to another folder"
            )
        return
    if marker.get("install_id") == install or marker.get("database") == fingerprint:
        return
    raise ForeignFolder(
        f"{directory} holds the public site export of another database "
        f"(install {marker.get('install_id')!r}; this one is {install!r}). Nothing was written. "
        "Set PUBLIC_EXPORT_DIR to this database's own folder, or empty that one if its database is gone"
    )


def claim(directory: Path, install: str, fingerprint: str) -> None:
    """check(), then write the marker naming this database (before any page is written)."""
    check(directory, install, fingerprint)
    marker = read_marker(directory)
    if marker is not None and marker.get("install_id") not in (None, install):
        log.warning("%s: its database was made again at the same address; taking the folder over", directory)
    if marker == {"install_id": install, "database": fingerprint}:
        return
    directory.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"install_id": install, "database": fingerprint}).encode()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(body)
    os.chmod(tmp, 0o644)
    os.replace(tmp, directory / OWNER_FILE)


def _holds_other_files(directory: Path) -> bool:
    if not directory.is_dir():
        return False
    names = {p.name for p in directory.iterdir() if not p.name.startswith(".tmp-")} - _IGNORED
    return bool(names) and _LEGACY_EXPORT not in names
