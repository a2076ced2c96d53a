"""An enterprise confirms its duty by its link: receipt, then measures in place with a note and a
photo. A second press changes nothing and says so; a forged link, a replaced duty and a duty
whose warning is over record nothing and say why. The clock is frozen (freeze_time) at each step."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from notify import scheduling
from notify.ack_links import SCHOOL_NOTICE
from notify.enterprises import confirm, messages
from notify.extensions import db
from notify.models import AuditEvent, EnterpriseDuty
from notify.tipoffs.photos import PhotoRejected
from tests.notify.enterprises.builders import create_enterprise
from tests.notify.enterprises.duty_effect_helpers import (
    DUE,
    START,
    T0,
    change,
    create_plan,
    duty_of,
    lime_kiln_list,
    link_of,
    publish,
    restart,  # noqa: F401  (the fixture every test here uses)
)
from tests.notify.tipoffs.fixtures import jpeg

pytestmark = pytest.mark.usefixtures("restart")


@pytest.fixture
def photo_dir(app, monkeypatch, tmp_path) -> Path:
    monkeypatch.setitem(app.config, "TIPOFF_PHOTO_DIR", str(tmp_path / "photos"))
    return tmp_path / "photos"


@pytest.fixture
def plant(sample_jurisdiction):
    lime_kiln_list(sample_jurisdiction)
    enterprise = create_enterprise(sample_jurisdiction, name="甲石灰厂", grade="C")
    create_plan(enterprise)
    db.session.commit()
    return enterprise


@pytest.fixture
def published(plant, sample_draft, sample_users):
    sample_draft.response_start_at = START
    sample_draft.episode_end = T0 + timedelta(hours=48)
    db.session.commit()
    return publish(sample_draft, sample_users)


def events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_receipt_then_measures_in_place_with_a_photo(published, plant, photo_dir):
    duty = duty_of(published.id, plant.id)
    assert (confirm.progress(duty), confirm.standing(duty, T0)) == (confirm.SENT, confirm.OPEN)
    outcome = confirm.receive(duty, T0 + timedelta(minutes=5))
    db.session.commit()
    assert outcome == confirm.Outcome(confirm.RECORDED, confirm.RECEIVED)
    at = T0 + timedelta(minutes=70)
    outcome = confirm.in_place(duty, at, note=" 1号窑已停 ", photo=jpeg())
    db.session.commit()
    assert outcome.recorded and outcome.progress == confirm.IN_PLACE
    duty = duty_of(published.id, plant.id)
    assert (duty.received_at, duty.in_place_at, duty.in_place_note) == (
        T0 + timedelta(minutes=5),
        at,
        "1号窑已停",
    )
    stored = photo_dir / duty.in_place_photo
    assert duty.in_place_photo.startswith("duties/") and stored.read_bytes()[:3] == b"\xff\xd8\xff"
    assert not confirm.is_late(duty)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enterprise.duty_in_place"))
    assert event.actor_name == "甲石灰厂" and event.detail["photo"] and not event.detail["late"]
    assert events("enterprise.duty_received") == 1


def test_in_place_straight_away_records_the_receipt_too(published, plant):
    duty = duty_of(published.id, plant.id)
    assert confirm.in_place(duty, DUE + timedelta(minutes=1)).recorded
    db.session.commit()
    duty = duty_of(published.id, plant.id)
    assert duty.received_at == duty.in_place_at == DUE + timedelta(minutes=1) and duty.in_place_photo is None
    assert confirm.is_late(duty)  # after the due time: recorded, and said so
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "enterprise.duty_in_place")
    ).detail["late"]


def test_a_second_press_changes_nothing_and_says_so(published, plant):
    duty = duty_of(published.id, plant.id)
    confirm.receive(duty, T0 + timedelta(minutes=1))
    confirm.in_place(duty, T0 + timedelta(minutes=2), note="甲")
    db.session.commit()
    assert confirm.receive(duty, T0 + timedelta(minutes=3)).outcome == confirm.ALREADY
    again = confirm.in_place(duty, T0 + timedelta(minutes=4), note="乙")
    assert again == confirm.Outcome(confirm.ALREADY, confirm.IN_PLACE)
    db.session.commit()
    duty = duty_of(published.id, plant.id)
    assert (duty.in_place_at, duty.in_place_note) == (T0 + timedelta(minutes=2), "甲")
    assert events("enterprise.duty_in_place") == 1 and events("enterprise.duty_received") == 1


def test_the_last_enterprise_in_place_stops_the_escalation(published, plant):
    assert scheduling.next_run_time(messages.job_id(published.id, 1)) == DUE
    confirm.in_place(duty_of(published.id, plant.id), T0 + timedelta(minutes=30))
    db.session.commit()
    assert scheduling.next_run_time(messages.job_id(published.id, 1)) is None
    assert scheduling.next_run_time(messages.job_id(published.id, 2)) is None


def test_a_replaced_duty_records_nothing(published, plant, sample_users, sample_levels):
    change(published, "upgrade", sample_levels["orange"], sample_users, T0 + timedelta(hours=1))
    old = duty_of(published.id, plant.id)
    later = T0 + timedelta(hours=1, minutes=5)
    assert confirm.standing(old, later) == confirm.SUPERSEDED
    assert confirm.receive(old, later).outcome == confirm.SUPERSEDED
    assert confirm.in_place(old, later, photo=jpeg()).outcome == confirm.SUPERSEDED
    db.session.commit()
    old = duty_of(published.id, plant.id)
    assert old.received_at is None and old.in_place_at is None and old.in_place_photo is None


def test_a_duty_whose_warning_is_over_records_nothing(published, plant):
    duty = duty_of(published.id, plant.id)
    over = T0 + timedelta(hours=49)
    assert confirm.standing(duty, over) == confirm.ENDED
    assert confirm.receive(duty, over).outcome == confirm.ENDED
    assert duty_of(published.id, plant.id).received_at is None


def test_a_release_and_an_exemption_take_no_confirmation(
    published, plant, sample_jurisdiction, sample_users, sample_levels
):
    lift = change(published, "lift", sample_levels["yellow"], sample_users, T0 + timedelta(hours=20))
    release = duty_of(lift.id, plant.id)
    assert release.kind == "release"
    assert confirm.receive(release, T0 + timedelta(hours=21)).outcome == confirm.RELEASED


def test_a_bad_photo_is_refused_with_its_reason(published, plant, photo_dir):
    duty = duty_of(published.id, plant.id)
    with pytest.raises(PhotoRejected) as too_big:
        confirm.in_place(duty, T0, photo=b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))
    assert too_big.value.status == 413
    with pytest.raises(PhotoRejected) as not_an_image:
        confirm.in_place(duty, T0, photo=b"%PDF-1.4 not a photo")
    assert not_an_image.value.status == 400
    db.session.rollback()
    assert duty_of(published.id, plant.id).in_place_at is None and not photo_dir.exists()


# -- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_duty_and_takes_both_steps(client, published, plant, photo_dir):
    url = link_of(published.id, plant)
    with freeze_time(T0 + timedelta(minutes=7)):
        page = client.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        assert "甲石灰厂" in html and "停产50%，以生产线计" in html
        assert "2026-11-23 11:30" in html  # due, Beijing time
        assert "日用电量" in html  # the plan's key indicator
        assert 'data-state="sent"' in html and 'data-test="receive"' in html
        answer = client.post(url, data={"action": "receive"})
        assert answer.status_code == 303 and answer.headers["Location"].endswith(url)
    with freeze_time(T0 + timedelta(minutes=50)):
        answer = client.post(
            url,
            data={"action": "in_place", "note": "1号窑已停", "photo": (io.BytesIO(jpeg()), "kiln.jpg")},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert (
        'data-state="in_place"' in html and "1号窑已停" in html and 'data-test="in-place-button"' not in html
    )
    photo = client.get(url + "/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"] == "private, no-store"
    duty = duty_of(published.id, plant.id)
    assert duty.received_at == T0 + timedelta(minutes=7) and duty.in_place_at == T0 + timedelta(minutes=50)


def test_a_second_press_on_the_page_says_it_was_already_done(client, published, plant):
    url = link_of(published.id, plant)
    client.post(url, data={"action": "in_place"})
    again = client.post(url, data={"action": "in_place", "note": "再次"}, follow_redirects=True)
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "flash-info" in html and 'data-state="in_place"' in html
    assert duty_of(published.id, plant.id).in_place_note == ""


def test_a_photo_too_large_is_answered_413_with_the_reason(client, published, plant, photo_dir):
    url = link_of(published.id, plant)
    big = b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024)
    answer = client.post(
        url,
        data={"action": "in_place", "photo": (io.BytesIO(big), "big.jpg")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 413 and 'data-test="photo-error"' in answer.get_data(as_text=True)
    assert duty_of(published.id, plant.id).in_place_at is None


def test_an_unknown_action_is_refused(client, published, plant):
    answer = client.post(link_of(published.id, plant), data={"action": "delete"})
    assert answer.status_code == 400
    assert duty_of(published.id, plant.id).received_at is None


@pytest.mark.parametrize("forge", ["signature", "enterprise", "garbage", "empty_sig", "long", "school"])
def test_a_forged_link_records_nothing_and_says_so(client, published, plant, forge):
    token = link_of(published.id, plant)[len("/d/") :]
    value, _, signature = token.rpartition(".")
    forged = {
        "signature": f"{value}.{'A' * len(signature)}",
        "enterprise": f"{value[:-1]}{'z' if value[-1] != 'z' else 'y'}.{signature}",
        "garbage": "not-a-token",
        "empty_sig": f"{value}.",
        "long": "x" * 500,
        # A school's authentic link for the same ids: another use, another key.
        "school": SCHOOL_NOTICE.make(published.id, plant.id),
    }[forge]
    for method in (client.get, client.post):
        answer = method(f"/d/{forged}", data={"action": "receive"})
        assert answer.status_code == 404 and 'data-test="invalid"' in answer.get_data(as_text=True)
    assert client.get(f"/d/{forged}/photo").status_code == 404
    assert (
        db.session.scalar(
            select(func.count()).select_from(EnterpriseDuty).where(EnterpriseDuty.received_at.is_not(None))
        )
        == 0
    )


def test_a_replaced_link_says_a_newer_one_was_sent(client, published, plant, sample_users, sample_levels):
    url = link_of(published.id, plant)
    change(published, "upgrade", sample_levels["orange"], sample_users, T0 + timedelta(hours=1))
    with freeze_time(T0 + timedelta(hours=1, minutes=10)):
        page = client.get(url)
        assert page.status_code == 410 and 'data-test="closed"' in page.get_data(as_text=True)
        answer = client.post(url, data={"action": "receive"})
    assert answer.status_code == 410 and 'data-standing="superseded"' in answer.get_data(as_text=True)
    assert duty_of(published.id, plant.id).received_at is None


def test_a_link_of_a_warning_that_is_over_says_so(client, published, plant):
    url = link_of(published.id, plant)
    with freeze_time(T0 + timedelta(hours=49)):
        page = client.get(url)
        answer = client.post(url, data={"action": "in_place"})
    assert page.status_code == 410 and 'data-standing="ended"' in page.get_data(as_text=True)
    assert answer.status_code == 410 and duty_of(published.id, plant.id).in_place_at is None


def test_a_post_without_the_form_token_records_nothing(app, client, monkeypatch, published, plant):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    answer = client.post(link_of(published.id, plant), data={"action": "receive"})
    assert answer.status_code == 400
    assert duty_of(published.id, plant.id).received_at is None
