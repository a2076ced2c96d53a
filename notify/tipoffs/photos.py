"""Photos from the public: checked from their bytes, re-encoded, stripped of every metadata.

A file's name and declared type are ignored; its first bytes decide what it is. Pillow then
decodes it fully and writes a new JPEG from the pixels only, so EXIF (GPS included), comments,
colour profiles, thumbnails and anything appended after the image are gone. The browser offers
the photo's GPS position to the reporter before upload (static/tipoffs.js); the server never keeps it.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 3
LONGEST_SIDE = 2048
# A 10 MB JPEG can claim billions of pixels (a "decompression bomb"); 50 MP covers any phone.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85

# Magic numbers of the formats accepted; HEIC is not among them (Pillow cannot decode it), and
# the form asks phones to send JPEG, which iOS does on upload from a browser.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)

# Markers of something other than an image hidden inside one (a polyglot): markup a browser
# would run, a PHP script, or an archive or document a downloader would open. Long enough that
# photo data does not contain them by chance.
_POLYGLOT_MARKERS = (
    b"<script",
    b"<html",
    b"<?php",
    b"<svg",
    b"<iframe",
    b"<!doctype",
    b"javascript:",
    b"%pdf-",
    b"rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
)


class PhotoRejected(ValueError):
    """`message` says why, in words the reporter understands; status is the HTTP code to answer."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes
    width: int
    height: int
    sha256: str


def sniff(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def polyglot_marker(data: bytes) -> bool:
    lowered = data.lower()
    if any(marker in lowered for marker in _POLYGLOT_MARKERS):
        return True
    # A ZIP is read from its end: a local header plus an end-of-directory record is an archive.
    return b"PK\x03\x04" in data and b"PK\x05\x06" in data[-65_557:]


def process(data: bytes, name: str = "") -> ProcessedPhoto:
    """Check and re-encode one uploaded photo; raise PhotoRejected saying why it is refused."""
    label = name or _l("the photo")
    if len(data) > MAX_BYTES:
        raise PhotoRejected(_l("%(name)s is larger than 10 MB.", name=label), status=413)
    if not data:
        raise PhotoRejected(_l("%(name)s is empty.", name=label))
    kind = sniff(data[:16])
    if kind is None:
        raise PhotoRejected(
            _l("%(name)s is not a JPEG, PNG or WebP image (whatever its name says).", name=label)
        )
    if polyglot_marker(data):
        raise PhotoRejected(
            _l(
                "%(name)s contains something besides the image (a script, web page "
                "or archive) and was refused.",
                name=label,
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoRejected(_l("%(name)s has too many pixels.", name=label))
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                image.load()
                # Turn the pixels upright first: the orientation tag goes with the rest of EXIF.
                upright = ImageOps.exif_transpose(image)
                clean = _flatten(upright)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise PhotoRejected(_l("%(name)s has too many pixels.", name=label)) from err
    except Exception as err:  # Pillow raises many kinds for broken files; each means "not a usable image"
        raise PhotoRejected(
            _l("%(name)s could not be read as an image; it may be damaged.", name=label)
        ) from err
    clean.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, no icc_profile=: the new file carries pixels only.
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    encoded = out.getvalue()
    return ProcessedPhoto(encoded, clean.width, clean.height, hashlib.sha256(encoded).hexdigest())


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparency is laid on white, as a reader would see it."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
