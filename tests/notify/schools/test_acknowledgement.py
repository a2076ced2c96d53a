"""The acknowledgement link: no login; one press records who and when; a second press, a forged
link and a link whose notice is over change nothing and say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models import AuditEvent, SchoolNotice
from notify.schools import notices as school_notices
from notify.schools import tokens
from tests.conftest import fresh, proposal, take_to
from tests.notify.schools.conftest import deliveries, token_in

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def published(yu_schools, sample_draft, sample_users):
    sample_draft.episode_end = T0 + timedelta(hours=48)
    db.session.commit()
    with freeze_time(T0):
        take_to(sample_draft, "published", sample_users)
    return sample_draft


def link_of(revision, school) -> str:
    body = next(
        d.body for d in deliveries(school_notices.PURPOSE, revision.id) if d.address == school.head_phone
    )
    return "/a/" + token_in(body)


def notice_of(revision, school) -> SchoolNotice:
    fresh()
    return db.session.scalar(
        select(SchoolNotice).where(
            SchoolNotice.revision_id == revision.id, SchoolNotice.school_id == school.id
        )
    )


def test_opening_shows_the_notice_and_one_press_confirms(client, published, yu_schools):
    school = yu_schools[3]
    url = link_of(published, school)
    with freeze_time(T0 + timedelta(minutes=7)):
        page = client.get(url)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        html = page.get_data(as_text=True)
        assert school.name in html and "停止室外课程及活动" in html and "自11月23日起" in html
        assert 'data-state="open"' in html and 'data-test="confirm"' in html
        assert f'value="{school.head_name}"' in html  # the head's name, to change if someone else confirms
        answer = client.post(url, data={"name": "值班老师 刘洋"})
        assert answer.status_code == 303 and answer.headers["Location"].endswith(url)
    notice = notice_of(published, school)
    assert notice.acknowledged_at == T0 + timedelta(minutes=7)
    assert (notice.acknowledged_by, notice.acknowledged_via) == ("值班老师 刘洋", "link")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "school.acknowledged"))
    assert event.actor_name == "值班老师 刘洋" and event.detail["via"] == "link"
    html = client.get(url).get_data(as_text=True)
    assert (
        'data-state="acknowledged"' in html and "值班老师 刘洋" in html and 'data-test="confirm"' not in html
    )


def test_a_second_press_changes_nothing(client, published, yu_schools):
    url = link_of(published, yu_schools[0])
    with freeze_time(T0 + timedelta(minutes=3)):
        client.post(url, data={"name": "甲"})
    with freeze_time(T0 + timedelta(minutes=9)):
        again = client.post(url, data={"name": "乙"}, follow_redirects=True)
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "flash-info" in html and 'data-state="acknowledged"' in html
    notice = notice_of(published, yu_schools[0])
    assert (notice.acknowledged_at, notice.acknowledged_by) == (T0 + timedelta(minutes=3), "甲")
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "school.acknowledged")
        )
        == 1
    )


@pytest.mark.parametrize("forge", ["signature", "school", "garbage", "empty_sig", "long"])
def test_a_forged_link_records_nothing(client, published, yu_schools, forge):
    token = link_of(published, yu_schools[0])[3:]
    value, _, signature = token.rpartition(".")
    forged = {
        "signature": f"{value}.{'A' * len(signature)}",
        # Another school's ids under this school's signature.
        "school": f"{value[:-1]}{'z' if value[-1] != 'z' else 'y'}.{signature}",
        "garbage": "not-a-token",
        "empty_sig": f"{value}.",
        "long": "x" * 500,
    }[forge]
    for method in (client.get, client.post):
        answer = method(f"/a/{forged}", data={"name": "x"})
        assert answer.status_code == 404
        assert 'data-test="invalid"' in answer.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count()).select_from(SchoolNotice).where(SchoolNotice.acknowledged_at.is_not(None))
        )
        == 0
    )


def test_a_replaced_notice_no_longer_confirms(client, published, yu_schools, sample_users, sample_levels):
    url = link_of(published, yu_schools[0])
    with freeze_time(T0 + timedelta(hours=1)):
        upgrade = propose_change(
            published.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
        )
        db.session.commit()
        take_to(upgrade, "published", sample_users)
    for method in (client.get, client.post):
        answer = method(url, data={"name": "x"})
        assert answer.status_code == 410
        assert 'data-state="superseded"' in answer.get_data(as_text=True)
    assert notice_of(published, yu_schools[0]).acknowledged_at is None
    # The new notice has a new link, which works.
    new_url = link_of(upgrade, yu_schools[0])
    assert new_url != url and client.post(new_url, data={"name": "x"}).status_code == 303


def test_a_notice_whose_episode_ended_no_longer_confirms(client, published, yu_schools):
    url = link_of(published, yu_schools[0])
    with freeze_time(T0 + timedelta(hours=48, seconds=1)):
        answer = client.post(url, data={"name": "x"})
    assert answer.status_code == 410 and 'data-state="ended"' in answer.get_data(as_text=True)
    assert notice_of(published, yu_schools[0]).acknowledged_at is None


def test_a_name_too_long_is_refused_with_the_form_again(client, published, yu_schools):
    url = link_of(published, yu_schools[0])
    answer = client.post(url, data={"name": "长" * 51})
    assert answer.status_code == 400 and 'data-test="confirm"' in answer.get_data(as_text=True)
    assert notice_of(published, yu_schools[0]).acknowledged_at is None


def test_tokens_are_short_and_bound_to_revision_and_school(app):
    token = tokens.make(123456, 789)
    assert len(token) <= 32 and tokens.read(token) == (123456, 789)
    assert tokens.read(token.replace(token[-1], "A" if token[-1] != "A" else "B")) is None
    app.config["SECRET_KEY"], old = "another-key", app.config["SECRET_KEY"]
    try:
        assert tokens.read(token) is None  # signed with this installation's key only
    finally:
        app.config["SECRET_KEY"] = old
