"""Fixtures and helpers for tip-off tests, shared by tests/notify/tipoffs, tests/admin and
tests/browser. The fixtures are registered in tests/conftest.py (`pytest_plugins`); tests
request them by name and import only the helpers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from notify.extensions import db, limiter
from notify.models import Role, Tipoff, User
from notify.tipoffs import held_photos, timetrap
from notify.tipoffs.submission import SubmissionData, submit
from tests.conftest import PASSWORD_HASH

# Yu County, near the county seat (秀水镇): used for map points.
LAT, LON = 38.0866, 113.4121


@pytest.fixture
def sample_tipoff_env(app, monkeypatch, tmp_path):
    """Photos in a temporary directory, fresh rate-limit counters, no time trap (a test that
    checks the trap sets it back), and the captcha answers the app draws, via its TESTING hook."""
    answers: list[str] = []
    monkeypatch.setitem(app.config, "TIPOFF_PHOTO_DIR", str(tmp_path / "photos"))
    monkeypatch.setitem(app.config, "TIPOFF_MIN_FILL_SECONDS", 0)
    monkeypatch.setitem(app.config, "TIPOFF_CAPTCHA_HOOK", answers.append)
    limiter.reset()
    yield answers
    limiter.reset()


def solve_captcha(client, answers: list[str]) -> str:
    response = client.get("/tipoffs/captcha.png")
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    return answers[-1]


def form_data(township_id: int, **overrides) -> dict:
    data = {
        "category": "dust",
        "description": "工地土方作业未覆盖，扬尘很大",
        "township": str(township_id),
        "address": "秀水镇东关村建筑工地",
        "latitude": "",
        "longitude": "",
        "identity": "anonymous",
        "name": "",
        "phone": "",
        "captcha": "",
        "started": timetrap.issue(),
        "website": "",
    }
    data.update(overrides)
    return data


def post_tipoff(client, answers, township_id: int, photos=(), **overrides):
    """Submit the public form as a person would: load the captcha, type it, attach photos."""
    lang = overrides.pop("lang", None)
    data = form_data(township_id, **overrides)
    if "captcha" not in overrides:
        data["captcha"] = solve_captcha(client, answers)
    data["photos"] = [(io.BytesIO(content), name) for name, content in photos]
    path = f"/tipoffs/new?lang={lang}" if lang else "/tipoffs/new"
    return client.post(path, data=data, content_type="multipart/form-data")


def jpeg(size=(800, 600), colour=(180, 120, 60), gps: tuple[float, float] | None = None, **save) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0131] = "reporter-phone-app"  # Software
    if gps is not None:
        lat, lon = gps
        exif[0x8825] = {1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)}
    image.save(out, "JPEG", exif=exif, **save)
    return out.getvalue()


def _dms(value: float):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), float(seconds))


def png(size=(300, 200), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def count_tipoffs() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Tipoff))


def stored_files(app) -> list[Path]:
    """The photos of tickets (not those held for a refused form's next attempt)."""
    root = Path(app.config["TIPOFF_PHOTO_DIR"])
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return [p for p in files if held_photos.FOLDER not in p.relative_to(root).parts]


def held_files(app) -> list[Path]:
    """The photos held for a refused form's next attempt, without their thumbnails."""
    folder = Path(app.config["TIPOFF_PHOTO_DIR"]) / held_photos.FOLDER
    return sorted(p for p in folder.glob("*.jpg") if not p.name.endswith(".thumb.jpg"))


@pytest.fixture
def sample_unit_users(sample_users, sample_jurisdiction) -> dict[str, User]:
    """Two member-unit logins, each tied to its unit (the ecology bureau and the police)."""
    units = {u.code: u for u in sample_jurisdiction.member_units}
    users = {}
    for username, unit in (("eco", units["eco_env_branch"]), ("police", units["public_security_bureau"])):
        user = User(
            jurisdiction=sample_jurisdiction,
            username=username,
            display_name=f"{username} 测试",
            role=Role.MEMBER_UNIT.value,
            member_unit=unit,
        )
        user.password_hash = PASSWORD_HASH
        db.session.add(user)
        users[username] = user
    db.session.commit()
    return users


def make_tipoff(
    jurisdiction,
    *,
    township=None,
    anonymous=True,
    name="",
    phone="",
    now=None,
    category="dust",
    latitude=None,
    longitude=None,
    photos=(),
):
    tipoff, code = submit(
        jurisdiction,
        SubmissionData(
            category=category,
            description="工地土方作业未覆盖，扬尘很大",
            township=township or jurisdiction.townships[0],
            address="秀水镇东关村建筑工地",
            latitude=latitude,
            longitude=longitude,
            anonymous=anonymous,
            name=name,
            phone=phone,
            photos=list(photos),
        ),
        now=now,
    )
    return tipoff, code


@pytest.fixture
def sample_tipoff(sample_tipoff_env, sample_jurisdiction):
    tipoff, _code = make_tipoff(sample_jurisdiction, anonymous=False, name="张三", phone="+8613800000000")
    return tipoff
