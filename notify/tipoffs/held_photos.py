"""Photos kept across a refused submission of the public form, for an hour.

A browser never puts a file back into a form's file input, so a report refused for a field to
correct or a mistyped captcha would lose its photos, and a reporter on a phone may not be able
to take them again. The photo, already checked and re-encoded (photos.process), is kept here
instead, in TIPOFF_PHOTO_DIR/held/, and the page carries a signed token per photo that the next
submission sends back to attach it.

Nothing in the token is trusted beyond its signature: it names the file the server wrote and
the browser session that sent the photo, and carries the digest of the bytes, so a client can
neither point it at another file, nor use another reporter's, nor swap the bytes. A held photo
is attached as it was kept, never decoded from the client again. Files older than HOLD_SECONDS
are removed by the next hold; a submission that uses them removes them at once.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from PIL import Image

from notify.tipoffs import storage
from notify.tipoffs.photos import ProcessedPhoto

HOLD_SECONDS = 3600
THUMB_SIDE = 240
SALT = "tipoff-held-photo"
FOLDER = "held"
# "<unix time written>-<32 random hex digits>": the age is in the name, not in the file's mtime.
_NAME = re.compile(r"^(\d{10})-[0-9a-f]{32}$")


class HeldPhotoGone(ValueError):
    """The token is expired, forged, another session's, or its file is gone or altered."""


@dataclass(frozen=True)
class HeldPhoto:
    token: str
    photo: ProcessedPhoto

    @property
    def thumb_size(self) -> tuple[int, int]:
        scale = min(1.0, THUMB_SIDE / max(self.photo.width, self.photo.height))
        return max(1, round(self.photo.width * scale)), max(1, round(self.photo.height * scale))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _folder() -> Path:
    return storage.root() / FOLDER


def _path(name: str, suffix: str) -> Path:
    if not _NAME.match(name):
        raise HeldPhotoGone(name)
    return _folder() / f"{name}{suffix}"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # a reader never sees half a file


def _thumbnail(photo: ProcessedPhoto) -> bytes:
    with Image.open(io.BytesIO(photo.data)) as image:
        image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    return out.getvalue()


def hold(photo: ProcessedPhoto, owner: str) -> HeldPhoto:
    """Keep a checked photo for `owner` (a random id in the reporter's session)."""
    now = int(time.time())
    purge(now)
    name = f"{now:010d}-{secrets.token_hex(16)}"
    _write(_path(name, ".jpg"), photo.data)
    _write(_path(name, ".thumb.jpg"), _thumbnail(photo))
    token = _serializer().dumps(
        {"f": name, "o": owner, "s": photo.sha256, "w": photo.width, "h": photo.height}
    )
    return HeldPhoto(token, photo)


def _claims(token: str, owner: str) -> dict:
    try:
        claims = _serializer().loads(token, max_age=HOLD_SECONDS)
    except (BadSignature, TypeError, ValueError) as err:  # SignatureExpired is a BadSignature
        raise HeldPhotoGone(str(err)) from None
    if not isinstance(claims, dict) or not owner or not secrets.compare_digest(str(claims.get("o")), owner):
        raise HeldPhotoGone("another session's photo")
    return claims


def take(token: str, owner: str) -> HeldPhoto:
    """The photo a token names, checked against the digest it was kept with."""
    claims = _claims(token, owner)
    try:
        data = _path(str(claims["f"]), ".jpg").read_bytes()
    except (OSError, KeyError) as err:
        raise HeldPhotoGone("file gone") from err
    digest = hashlib.sha256(data).hexdigest()
    if not secrets.compare_digest(digest, str(claims.get("s"))):
        raise HeldPhotoGone("file altered")
    return HeldPhoto(token, ProcessedPhoto(data, int(claims["w"]), int(claims["h"]), digest))


def thumbnail(token: str, owner: str) -> bytes:
    claims = _claims(token, owner)
    try:
        return _path(str(claims.get("f")), ".thumb.jpg").read_bytes()
    except OSError as err:
        raise HeldPhotoGone("file gone") from err


def release(held: list[HeldPhoto]) -> None:
    """Remove the files of photos now attached to a ticket (which has its own copies)."""
    for item in held:
        name = str(_serializer().loads(item.token)["f"])
        for suffix in (".jpg", ".thumb.jpg"):
            _path(name, suffix).unlink(missing_ok=True)


def purge(now: int) -> int:
    """Remove held files older than HOLD_SECONDS; returns how many went."""
    folder = _folder()
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        match = _NAME.match(path.name.split(".", 1)[0])
        if match and now - int(match.group(1)) > HOLD_SECONDS:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
