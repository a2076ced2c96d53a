"""The console's use case for the registry's two CSV imports: check and write the file through
the shared importer, then record who imported what; a refused file leaves nothing behind."""

from __future__ import annotations

from notify import audit
from notify.enterprises import registry
from notify.extensions import db
from notify.models import Jurisdiction, User
from notify.registry_csv import ImportReport

KINDS = ("enterprises", "lines")


def max_bytes(kind: str) -> int:
    """The most of an upload read: a file longer than this holds more rows than allowed."""
    rows = registry.MAX_ROWS if kind == "enterprises" else registry.LINES_MAX_ROWS
    return rows * registry.BYTES_PER_ROW


def import_file(j: Jurisdiction, kind: str, raw: bytes, *, actor: User, filename: str) -> ImportReport:
    """Import one file of `kind` ("enterprises" or "lines"): all of it, audited and committed, or
    nothing (the report says why, by line)."""
    report = registry.import_csv(j, raw) if kind == "enterprises" else registry.import_lines_csv(j, raw)
    if report.errors:
        db.session.rollback()  # all or nothing: the importer wrote nothing, and nothing else may linger
        return report
    summary = f"{kind}: {report.added} added, {report.updated} updated"
    detail = {"added": report.added, "updated": report.updated, "file": filename[:200], "bytes": len(raw)}
    # One literal action per kind, so that the console's names of events (admin/labels.py) are checked.
    if kind == "enterprises":
        audit.record("enterprises.import", actor=actor, summary=summary, detail=detail)
    else:
        audit.record("enterprises.lines_import", actor=actor, summary=summary, detail=detail)
    db.session.commit()
    return report
