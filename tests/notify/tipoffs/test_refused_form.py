"""A refused tip-off form: its checked photos are kept for the next attempt (a browser cannot
refill a file input), its field errors are shown even when the time trap also tripped (which
alone is never given as the reason), and its captcha has no look-alike characters."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from notify.extensions import db
from notify.models import Tipoff
from notify.tipoffs import captcha, held_photos
from tests.conftest import fresh
from tests.notify.tipoffs.fixtures import count_tipoffs, held_files, jpeg, png, post_tipoff, stored_files

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
NOT_SENT = "The tip-off was not sent. Correct the marked fields."
PHOTO_GONE = "A photo attached earlier is no longer kept. Attach it again."


def _text(response) -> str:
    return response.get_data(as_text=True)


def _kept_tokens(response) -> list[str]:
    return re.findall(r'name="kept_photos" value="([^"]+)" checked', _text(response))


def _errors(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, text in re.findall(r'class="field-error" data-error="([a-z_]+)">([^<]+)<', _text(response)):
        found.setdefault(name, []).append(text)
    return found


def _message(response) -> str:
    return re.search(r'data-test="form-message">([^<]+)<', _text(response)).group(1)


@pytest.fixture
def township_id(sample_jurisdiction) -> int:
    return sample_jurisdiction.townships[0].id


def test_a_checked_photo_is_kept_across_a_refusal_and_attached_on_the_next_attempt(
    app, client, sample_tipoff_env, township_id
):
    with freeze_time(T0):
        photo = jpeg(size=(3000, 2000), gps=(38.08, 113.41))
        refused = post_tipoff(
            client, sample_tipoff_env, township_id, photos=[("IMG_1.jpg", photo)], description="短", lang="en"
        )
        assert refused.status_code == 400 and _message(refused) == NOT_SENT
        assert "description" in _errors(refused)
        [token] = _kept_tokens(refused)
        # Kept re-encoded (no EXIF, not the bytes sent), and shown back as a small thumbnail.
        [held] = held_files(app)
        held_bytes = held.read_bytes()
        assert held_bytes != photo and b"Exif" not in held_bytes[:200]
        assert stored_files(app) == [] and count_tipoffs() == 0
        thumb = client.get(f"/tipoffs/held/{token}")
        assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
        assert thumb.headers["Cache-Control"] == "private, no-store" and len(thumb.data) < len(held_bytes)
        # Another browser cannot see it.
        assert app.test_client().get(f"/tipoffs/held/{token}").status_code == 404

        sent = post_tipoff(client, sample_tipoff_env, township_id, kept_photos=[token])
        assert sent.status_code == 201, _text(sent)
        fresh()
        tipoff = db.session.scalar(select(Tipoff))
        # The very photo that was kept, not one sent again by the browser.
        [kept] = tipoff.photos
        assert kept.sha256 == hashlib.sha256(held_bytes).hexdigest()
        assert [p.read_bytes() for p in stored_files(app)] == [held_bytes]
        assert (kept.width, kept.height) == (2048, 1365)
        assert held_files(app) == []  # attached: the held copy is gone
        assert client.get(f"/tipoffs/held/{token}").status_code == 404


def test_unticked_photos_are_left_out_and_new_ones_join_the_kept(app, client, sample_tipoff_env, township_id):
    with freeze_time(T0):
        refused = post_tipoff(
            client,
            sample_tipoff_env,
            township_id,
            photos=[("a.jpg", jpeg()), ("b.png", png())],
            address="",
        )
        assert refused.status_code == 400
        first, second = _kept_tokens(refused)
        # Still wrong: the kept photo stays kept, with the new one beside it.
        again = post_tipoff(
            client,
            sample_tipoff_env,
            township_id,
            kept_photos=[first],
            photos=[("c.jpg", jpeg())],
            address="",
        )
        assert again.status_code == 400 and len(_kept_tokens(again)) == 2 and first in _kept_tokens(again)
        sent = post_tipoff(client, sample_tipoff_env, township_id, kept_photos=_kept_tokens(again))
        assert sent.status_code == 201
        fresh()
        assert len(db.session.scalar(select(Tipoff)).photos) == 2
        assert second not in _kept_tokens(again)


def test_kept_and_new_photos_together_are_at_most_three(app, client, sample_tipoff_env, township_id):
    with freeze_time(T0):
        refused = post_tipoff(
            client,
            sample_tipoff_env,
            township_id,
            photos=[(f"{i}.jpg", jpeg()) for i in range(3)],
            address="",
        )
        tokens = _kept_tokens(refused)
        assert len(tokens) == 3
        response = post_tipoff(
            client, sample_tipoff_env, township_id, kept_photos=tokens, photos=[("4.jpg", jpeg())], lang="en"
        )
        assert response.status_code == 400 and "At most 3 photos." in _errors(response)["photos"]
        assert count_tipoffs() == 0 and len(held_files(app)) == 3


def _held_token(client, answers, township_id) -> str:
    refused = post_tipoff(client, answers, township_id, photos=[("a.jpg", jpeg())], address="")
    [token] = _kept_tokens(refused)
    return token


def test_a_token_is_trusted_only_as_signed_by_this_server_for_this_browser(
    app, client, sample_tipoff_env, township_id
):
    with freeze_time(T0):
        token = _held_token(client, sample_tipoff_env, township_id)
        other = app.test_client()
        forged = [
            token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature broken
            "../../../etc/passwd",
            "x" * 5000,
        ]
        for bad in forged:
            response = post_tipoff(client, sample_tipoff_env, township_id, kept_photos=[bad], lang="en")
            assert response.status_code == 400 and PHOTO_GONE in _errors(response)["photos"], bad
        # Another browser's submission cannot attach this browser's photo.
        response = post_tipoff(other, sample_tipoff_env, township_id, kept_photos=[token], lang="en")
        assert response.status_code == 400 and PHOTO_GONE in _errors(response)["photos"]
        # Bytes changed on disk are refused, not attached.
        [held] = held_files(app)
        held.write_bytes(jpeg(colour=(0, 0, 0)))
        response = post_tipoff(client, sample_tipoff_env, township_id, kept_photos=[token], lang="en")
        assert response.status_code == 400 and PHOTO_GONE in _errors(response)["photos"]
        assert count_tipoffs() == 0 and stored_files(app) == []


def test_a_held_photo_lasts_an_hour_and_is_then_removed(app, client, sample_tipoff_env, township_id):
    with freeze_time(T0) as frozen:
        token = _held_token(client, sample_tipoff_env, township_id)
        frozen.tick(timedelta(seconds=held_photos.HOLD_SECONDS + 1))
        response = post_tipoff(client, sample_tipoff_env, township_id, kept_photos=[token], lang="en")
        assert response.status_code == 400 and PHOTO_GONE in _errors(response)["photos"]
        assert client.get(f"/tipoffs/held/{token}").status_code == 404
        # The next photo held sweeps the old files away.
        _held_token(client, sample_tipoff_env, township_id)
        assert len(held_files(app)) == 1
        assert len(list(held_files(app)[0].parent.iterdir())) == 2  # the photo and its thumbnail


def test_field_errors_are_shown_when_the_time_trap_also_trips(
    app, client, sample_tipoff_env, township_id, monkeypatch
):
    monkeypatch.setitem(app.config, "TIPOFF_MIN_FILL_SECONDS", 5)
    with freeze_time(T0):
        response = post_tipoff(
            client,
            sample_tipoff_env,
            township_id,
            description="短",
            identity="real_name",
            name="张三",
            photos=[("a.jpg", jpeg())],
            lang="en",
        )
    assert response.status_code == 400
    errors = _errors(response)
    assert errors["description"] == ["Describe it in 5 to 2000 characters."]
    assert errors["phone"] == ["Give a mainland mobile number of 11 digits, e.g. 13800000000."]
    # The reason given is the fields', never the trap's; the photo is kept all the same.
    assert _message(response) == NOT_SENT and len(_kept_tokens(response)) == 1
    assert count_tipoffs() == 0


def test_the_captcha_has_no_characters_that_look_alike(client, sample_tipoff_env):
    for group in captcha.LOOK_ALIKES:
        assert len(set(group) & set(captcha.ALPHABET)) <= 1, group
    for confusable in "0OQ1Il":
        assert confusable not in captcha.ALPHABET
    assert captcha.ALPHABET == captcha.ALPHABET.upper() and len(set(captcha.ALPHABET)) >= 20
    with freeze_time(T0):
        for _ in range(20):
            client.get("/tipoffs/captcha.png")
    assert len(sample_tipoff_env) == 20
    assert all(set(answer) <= set(captcha.ALPHABET) for answer in sample_tipoff_env)
