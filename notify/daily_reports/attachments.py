"""Attachments to a daily report: photos of the measures, and PDF documents.

Checked like the tip-off photos (notify.tipoffs.photos): the bytes decide what a file is, never
its name; photos are re-encoded to JPEG without metadata; a PDF must start as one and carry no
script, action, embedded file, rich media or XFA form. Stored at random names under
DAILY_REPORT_DIR (instance/daily_reports/), never served directly.

A PDF is read with a real parser (pypdf), not searched for words: a name may be spelt with
escapes (/J#61vaScript is /JavaScript) and objects may sit compressed inside object streams, where
no byte search sees them. Every object the file's cross-reference lists is visited, those inside
object streams included, and every name in it (keys and values) is compared after decoding. An
encrypted file, or one the parser cannot read, cannot be checked and is refused.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from notify.tipoffs import photos

log = logging.getLogger(__name__)

MAX_FILES = 3
MAX_BYTES = photos.MAX_BYTES
# Names that make a PDF do something when opened or clicked: scripts, launching programs, form
# submission, additional (event) actions, embedded files, rich media and XFA forms.
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/AA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
        "/XFA",
    }
)
# A daily report's scan or export has hundreds of objects; past this it is not worth checking.
PDF_MAX_OBJECTS = 100_000
# A second, cheap look at the raw bytes, for objects outside any cross-reference that a viewer
# repairing the file might still find.
_PDF_ACTIVE = (
    b"/javascript",
    b"/js ",
    b"/js(",
    b"/js<",
    b"/launch",
    b"/embeddedfile",
    b"/richmedia",
    b"/xfa",
)


class AttachmentRejected(photos.PhotoRejected):
    pass


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    data: bytes
    content_type: str
    extension: str
    sha256: str


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    return re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)[:200] or "file"


def check(name: str, data: bytes) -> CheckedFile:
    label = _clean_name(name)
    if len(data) > MAX_BYTES:
        raise AttachmentRejected(_l("%(name)s is larger than 10 MB.", name=label), status=413)
    if not data:
        raise AttachmentRejected(_l("%(name)s is empty.", name=label))
    if data.startswith(b"%PDF-"):
        lowered = data.lower()
        if b"%%eof" not in lowered[-2048:]:
            raise AttachmentRejected(_l("%(name)s is not a complete PDF file.", name=label))
        verdict = pdf_verdict(data)
        if verdict == "unreadable":
            raise AttachmentRejected(
                _l(
                    "%(name)s is encrypted or damaged and cannot be checked; print it to a plain PDF first.",
                    name=label,
                )
            )
        if verdict is not None or any(marker in lowered for marker in _PDF_ACTIVE):
            raise AttachmentRejected(
                _l(
                    "%(name)s contains scripts, actions or embedded files and was "
                    "refused; print it to a plain PDF first.",
                    name=label,
                )
            )
        return CheckedFile(label, data, "application/pdf", "pdf", hashlib.sha256(data).hexdigest())
    if photos.sniff(data[:16]) is None:
        raise AttachmentRejected(
            _l("%(name)s is neither a photo (JPEG, PNG, WebP) nor a PDF, whatever its name says.", name=label)
        )
    try:
        photo = photos.process(data, label)
    except photos.PhotoRejected as err:
        raise AttachmentRejected(err.message, status=err.status) from err
    return CheckedFile(label, photo.data, "image/jpeg", "jpg", photo.sha256)


def pdf_verdict(data: bytes) -> str | None:
    """None for a PDF without active content; the first active name found; or "unreadable"
    for a file that cannot be checked (encrypted, damaged, too many objects)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "unreadable"
        return _first_active_name(reader)
    except Exception as exc:  # whatever the parser trips on, the file cannot be checked
        log.info("PDF attachment unreadable: %s: %s", type(exc).__name__, exc)
        return "unreadable"


def _first_active_name(reader: PdfReader) -> str | None:
    # Iteratively, not recursively: a file may nest arrays thousands deep.
    pending: list = [reader.trailer]
    for generation, table in reader.xref.items():
        pending += [IndirectObject(number, generation, reader) for number in table]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValueError(f"more than {PDF_MAX_OBJECTS} objects")
        if isinstance(item, NameObject):
            if item in PDF_ACTIVE_NAMES:
                return str(item)
        elif isinstance(item, DictionaryObject):  # stream dictionaries too
            # dict.items: the raw values, references unresolved (they are visited once, above).
            for key, value in dict.items(item):
                if key in PDF_ACTIVE_NAMES:
                    return str(key)
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


def root() -> Path:
    return Path(current_app.config["DAILY_REPORT_DIR"])


def store(checked: CheckedFile, now: datetime) -> str:
    name = f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{checked.extension}"
    path = path_of(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(checked.data)
    os.replace(tmp, path)
    return name


def path_of(storage_name: str) -> Path:
    base = root().resolve()
    path = (base / storage_name).resolve()
    if base not in path.parents:
        raise ValueError("attachment path outside the attachment directory")
    return path
