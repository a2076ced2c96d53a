"""The one CSV importer of every registry (recipients, schools, enterprises, production lines):
every line checked first, then all written (set-based insert and update) or nothing, with each
refused line's number and reason.

A registry describes itself in a RegistrySpec: its columns and the headers (English or Chinese)
that name them, which are required, how one row becomes the values of one record (or the reason
it cannot), the natural key a re-import updates by, and the most rows a file may hold. The file
may be UTF-8 (with or without a byte-order mark) or GB18030/GBK, as spreadsheets saved on Chinese
Windows are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from notify import clock
from notify.extensions import db

# A unit after a header, "SO2 (t/a)" or "二氧化硫（吨/年）": the column is the same without it.
_UNIT = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


@dataclass(frozen=True)
class RegistrySpec:
    """What one registry's CSV holds and how its rows are written.

    `lookups(target)` loads once per file what the row parser needs (townships, robots, known
    enterprises …); `parse(row, lookups)` returns the record's column values or the reason the
    row is refused. `key` names the values that identify a record (a re-import updates it);
    `scope(target)` gives the columns that place a record in the target's registry (its
    jurisdiction, its audience group), written with every new record and used to find the
    existing ones, unless `existing(target)` finds them itself (key → id).
    """

    name: str
    model: type
    columns: tuple[str, ...]
    required: tuple[str, ...]
    aliases: Mapping[str, str]  # header as the sheet writes it (Chinese or English) → column
    parse: Callable[[dict[str, str], Any], dict[str, Any] | str]
    key: tuple[str, ...]
    duplicate: Callable[[Any, int], str]  # why a key already on an earlier line is refused
    max_rows: int
    lookups: Callable[[Any], Any] = lambda target: None
    scope: Callable[[Any], dict[str, Any]] = lambda target: {}
    existing: Callable[[Any], dict[Any, int]] | None = None
    # Claims what must be unique within the file besides the key (a school's phones): the reason
    # an earlier line holds it already, or None after noting the row's own claim in `lookups`.
    claim: Callable[[dict[str, Any], int, Any], str | None] | None = None
    # Rules between the file and the records it leaves alone, once every line is good.
    check_file: Callable[[Any, dict[Any, dict[str, Any]], Any], list[tuple[int, str]]] | None = None
    # Updates written before the real ones, so that rows exchanging a unique value are checked
    # against the final state, not a half-written one.
    interim_updates: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
    written_always: Mapping[str, Any] = field(default_factory=dict)  # e.g. active = True
    timestamps: bool = True  # created_at / updated_at columns

    def key_of(self, values: dict[str, Any]) -> Hashable:
        return values[self.key[0]] if len(self.key) == 1 else tuple(values[k] for k in self.key)

    def column(self, header: str) -> str:
        """The column a header names: an alias as written, or lower-cased, with or without a unit."""
        header = header.strip()
        for candidate in (header, _UNIT.sub("", header)):
            column = self.aliases.get(candidate) or self.aliases.get(candidate.lower())
            if column:
                return column
        plain = header.lower()
        return plain if plain in self.columns else _UNIT.sub("", header).lower()

    def header_label(self, column: str) -> str:
        """The column with its Chinese header, "code (学校代码)", for messages about the header."""
        zh = next((a for a, c in self.aliases.items() if c == column and not a.isascii()), None)
        return f"{column} ({zh})" if zh else column


def decode(raw: bytes) -> str:
    # Spreadsheets saved on Chinese Windows are GB18030 (a superset of GBK); others UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("not UTF-8 or GB18030 text")


def _plain_column(name: str) -> str:
    return name.strip().lower()


def open_rows(
    raw: bytes,
    required: Sequence[str],
    report: ImportReport,
    column: Callable[[str], str] = _plain_column,
    label: Callable[[str], str] = str,
) -> csv.DictReader | None:
    """A reader whose rows are keyed by column name, or None with the reason in the report."""
    try:
        text = decode(raw)
    except ValueError:
        report.errors.append((0, str(_l("The file is not text in UTF-8 or GBK; save it as CSV."))))
        return None
    reader = csv.DictReader(io.StringIO(text))
    header = [column(h) for h in (reader.fieldnames or [])]
    missing = [label(c) for c in required if c not in header]
    if missing:
        report.errors.append(
            (1, str(_l("The header row lacks the column(s): %(cols)s", cols=", ".join(missing))))
        )
        return None
    reader.fieldnames = header
    return reader


def numbered_rows(
    reader: csv.DictReader, report: ImportReport, max_rows: int
) -> Iterator[tuple[int, dict[str, str]]]:
    """(Line number, trimmed cells) of every row that is not blank; past max_rows, an error.

    The line number is the file's own (the reader's count: empty lines and cells holding line
    breaks included), so that it is the one a spreadsheet or an editor shows."""
    for count, raw_row in enumerate(reader, start=1):
        line = reader.line_num
        if count > max_rows:
            report.errors.append((line, str(_l("More than %(n)d rows; split the file.", n=max_rows))))
            return
        row = {k: (v or "").strip() for k, v in raw_row.items() if k}
        if any(row.values()):
            yield line, row


def import_csv(spec: RegistrySpec, target: Any, raw: bytes, *, max_rows: int | None = None) -> ImportReport:
    """Check every line of the file, then write all its records or none.

    `target` is what the registry belongs to (a jurisdiction, an audience group). `max_rows`
    overrides the spec's limit (the registry modules pass their module-level MAX_ROWS).
    Nothing is committed: the caller commits, or rolls back when the report has errors.
    """
    report = ImportReport()
    reader = open_rows(raw, spec.required, report, column=spec.column, label=spec.header_label)
    if reader is None:
        return report
    lookups = spec.lookups(target)
    rows = _read(spec, reader, lookups, report, spec.max_rows if max_rows is None else max_rows)
    if report.errors:
        return report
    if spec.check_file is not None:
        report.errors.extend(spec.check_file(target, rows, lookups))
        if report.errors:
            report.errors.sort(key=lambda e: e[0])
            return report
    _write(spec, target, rows, report)
    return report


def _read(
    spec: RegistrySpec, reader: csv.DictReader, lookups: Any, report: ImportReport, max_rows: int
) -> dict[Any, dict[str, Any]]:
    """The file's records by key (each with its "line"); refused lines go to the report."""
    rows: dict[Any, dict[str, Any]] = {}
    for line, row in numbered_rows(reader, report, max_rows):
        values = spec.parse(row, lookups)
        if isinstance(values, str):
            report.errors.append((line, values))
            continue
        key = spec.key_of(values)
        if key in rows:
            report.errors.append((line, spec.duplicate(key, rows[key]["line"])))
            continue
        if spec.claim is not None:
            clash = spec.claim(values, line, lookups)
            if clash:
                report.errors.append((line, clash))
                continue
        rows[key] = {"line": line, **values}
    return rows


def _existing(spec: RegistrySpec, target: Any) -> dict[Any, int]:
    if spec.existing is not None:
        return spec.existing(target)
    model: Any = spec.model
    query = select(model.id, *(getattr(model, k) for k in spec.key)).filter_by(**spec.scope(target))
    return {(r[1] if len(r) == 2 else tuple(r[1:])): r[0] for r in db.session.execute(query)}


def _write(spec: RegistrySpec, target: Any, rows: dict[Any, dict[str, Any]], report: ImportReport) -> None:
    """Insert the new records and update the known ones, each in one statement."""
    existing = _existing(spec, target)
    now = clock.now()
    stamp_new = {"created_at": now, "updated_at": now} if spec.timestamps else {}
    stamp_old = {"updated_at": now} if spec.timestamps else {}
    scope = spec.scope(target)
    inserts, updates = [], []
    for key, row in rows.items():
        values = {k: v for k, v in row.items() if k != "line"}
        if key in existing:
            updates.append({"id": existing[key], **values, **spec.written_always, **stamp_old})
        else:
            inserts.append({**scope, **values, **spec.written_always, **stamp_new})
    if updates:
        if spec.interim_updates is not None:
            db.session.execute(update(spec.model), spec.interim_updates(updates))
        db.session.execute(update(spec.model), updates)
    if inserts:
        db.session.execute(insert(spec.model), inserts)
    report.added, report.updated = len(inserts), len(updates)
