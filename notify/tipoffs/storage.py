"""Where tip-off photos live on disk: TIPOFF_PHOTO_DIR (default instance/tipoff_photos/).

Files are named at random and grouped by month (2026/11/…jpg) so a backup can copy finished
months once. The directory is never served by the web server; views read files through here.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app


def root() -> Path:
    return Path(current_app.config["TIPOFF_PHOTO_DIR"])


def new_name(now: datetime) -> str:
    return f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}.jpg"


def path_of(storage_name: str) -> Path:
    base = root().resolve()
    path = (base / storage_name).resolve()
    if base not in path.parents:  # names come from the database, but never trust a path blindly
        raise ValueError("photo path outside the photo directory")
    return path


def write(storage_name: str, data: bytes) -> Path:
    path = path_of(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # a reader never sees half a file
    return path


def remove(storage_name: str) -> None:
    try:
        path_of(storage_name).unlink()
    except FileNotFoundError:
        pass
