"""Attachments to a daily report: photos of the measures, and PDF documents.

Checked like the tip-off photos (notify.tipoffs.photos): the bytes decide what a file is, never
its name; photos are re-encoded to JPEG without metadata; a PDF must start as one and carry no
script, launch action or embedded file. Stored at random names under DAILY_REPORT_DIR
(instance/daily_reports/), never served directly.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from notify.tipoffs import photos

MAX_FILES = 3
MAX_BYTES = photos.MAX_BYTES
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
        if any(marker in lowered for marker in _PDF_ACTIVE):
            raise AttachmentRejected(
                _l(
                    "%(name)s contains scripts, actions or embedded files and was "
                    "refused; print it to a plain PDF first.",
                    name=label,
                )
            )
        if b"%%eof" not in lowered[-2048:]:
            raise AttachmentRejected(_l("%(name)s is not a complete PDF file.", name=label))
        return CheckedFile(label, data, "application/pdf", "pdf", hashlib.sha256(data).hexdigest())
    if photos.sniff(data[:16]) is None:
        raise AttachmentRejected(
            _l("%(name)s is neither a photo (JPEG, PNG, WebP) nor a PDF, whatever its name says.", name=label)
        )
    try:
        photo = photos.process(data, label)
    except photos.PhotoRejected as err:
        raise AttachmentRejected(err.message, status=err.status)
    return CheckedFile(label, photo.data, "image/jpeg", "jpg", photo.sha256)


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
