"""A screen's feed over HTTP: content from the snapshot, versions, ETag/304, tokens, GBK variant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from notify.extensions import db
from notify.models import AuditEvent, Delivery
from notify.models.screens import Screen, ScreenFeedVersion
from notify.screens import colours, gbk
from tests.conftest import fresh
from tests.notify.screens.conftest import NANLOU, SUNJIAZHUANG, XIUSHUI, auth, change, issue, township


def _feed(client, screen, token, *, fmt="json", headers=None):
    return client.get(f"/screens/{screen.id}/feed.{fmt}", headers={**auth(token), **(headers or {})})


def _version(screen_id: int) -> int:
    fresh()
    return db.session.get(Screen, screen_id).feed_version


def test_a_screen_with_nothing_current_shows_the_idle_message(client, make_screen):
    screen, token = make_screen(chars=12, lines=2)
    data = _feed(client, screen, token).get_json()
    assert data["state"] == "idle"
    assert data["level"]["code"] == "none" and data["level"]["words"] == "当前无预警"
    assert data["pages"][0]["lines"][0] == "盂县当前无预警"
    assert data["pages"][0]["colour"] == colours.ALL_CLEAR
    assert data["version"] == 1


def test_a_warning_is_laid_out_for_each_profile_with_the_level_in_words_on_every_page(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    wide, wide_token = make_screen(chars=16, lines=4, colours="full")
    two, two_token = make_screen(chars=8, lines=2, colours="two")
    one, one_token = make_screen(chars=10, lines=1, colours="one")
    revision = issue(
        sample_kind,
        sample_levels["orange"],
        sample_users,
        headline_zh="盂县发布重污染天气橙色预警",
        aqi_min=200,
        aqi_max=260,
    )
    snapshot = revision.snapshot.content

    data = _feed(client, wide, wide_token).get_json()
    assert data["state"] == "warning"
    assert data["level"] == {
        "code": "orange",
        "words": "橙色预警",
        "name": "橙色预警",
        "colour": "#F08A00",
        "fallback_colour": "#F08A00",
    }
    assert all(page["lines"][0] == "重污染天气橙色预警" for page in data["pages"])
    assert all(len(page["lines"]) == 4 for page in data["pages"])
    text = "".join(line for page in data["pages"] for line in page["lines"][1:])
    assert snapshot["headline"]["zh"] in text
    assert "AQI 200-260" in text and "PM2.5" in text
    advice = snapshot["advisories"]["health"][0]["zh"]
    assert advice in text
    item = data["items"][0]
    assert (item["warning"], item["revision_id"], item["action"]) == (
        revision.warning.reference,
        revision.id,
        "issue",
    )

    data = _feed(client, two, two_token).get_json()
    assert all(page["lines"][0] == "橙色预警" for page in data["pages"])  # the long header does not fit 8
    assert {p["fallback_colour"] for p in data["pages"]} == {colours.YELLOW}
    assert {p["colour"] for p in data["pages"]} == {"#F08A00"}
    assert all(gbk.width(line) <= 16 for page in data["pages"] for line in page["lines"])
    # A small board shows the essentials, not the advice.
    small_text = "".join(line for page in data["pages"] for line in page["lines"][1:])
    assert snapshot["headline"]["zh"] in small_text and advice[:6] not in small_text

    data = _feed(client, one, one_token).get_json()
    assert data["pages"][0]["lines"] == ["重污染天气橙色预警"]  # a one-line board: the level is a page
    assert all(len(page["lines"]) == 1 for page in data["pages"])
    assert {p["fallback_colour"] for p in data["pages"]} == {colours.RED}


def test_the_feed_renders_from_the_snapshot_not_from_the_live_revision(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    screen, token = make_screen()
    revision = issue(sample_kind, sample_levels["yellow"], sample_users, headline_zh="原标题黄色预警")
    # Rows change after approval (a level renamed in the console); the screen keeps what was approved.
    sample_levels["yellow"].name_zh = "改过的名字"
    db.session.commit()
    data = _feed(client, screen, token).get_json()
    assert data["level"]["words"] == "黄色预警"
    assert "原标题黄色预警" in "".join(data["pages"][0]["lines"])
    assert revision.snapshot.content["level"]["name_zh"] == "黄色预警"


def test_gbk_text_variant(client, make_screen, sample_users, sample_kind, sample_levels):
    screen, token = make_screen(chars=10, lines=3, colours="two")
    issue(
        sample_kind,
        sample_levels["red"],
        sample_users,
        headline_zh="盂县发布重污染天气红色预警😷",
        primary_pollutant="PM2.5（35µg/m³）",
    )
    response = _feed(client, screen, token, fmt="txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=GBK"
    text = response.data.decode("gbk")
    assert "\r\n" in text and "😷" not in text
    head = dict(
        line.split(" ", 1) for line in text.split("\r\n")[:10] if line and not line.startswith("PAGE ")
    )
    assert head["STATE"] == "warning" and head["LEVEL"] == "red 红色预警" and head["SIZE"] == "10x3"
    assert "μg/m3" in text
    # The same pages as the JSON variant, line for line.
    data = _feed(client, screen, token).get_json()
    lines = text.split("\r\n")
    for number, page in enumerate(data["pages"], start=1):
        at = lines.index(f"PAGE {number} {page['colour']} {page['fallback_colour']}")
        assert lines[at + 1 : at + 4] == page["lines"]


def test_etag_and_304_until_the_feed_changes(client, make_screen, sample_users, sample_kind, sample_levels):
    screen, token = make_screen()
    first = _feed(client, screen, token)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = _feed(client, screen, token, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    text_etag = _feed(client, screen, token, fmt="txt").headers["ETag"]
    assert text_etag != etag  # a different body, a different strong validator
    issue(sample_kind, sample_levels["yellow"], sample_users)
    changed = _feed(client, screen, token, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["version"] == 2 and changed.headers["X-Feed-Version"] == "2"


def test_token_errors_are_4xx_with_a_message(client, make_screen):
    screen, token = make_screen()
    other, other_token = make_screen()
    response = client.get(f"/screens/{screen.id}/feed.json")
    assert response.status_code == 401 and response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = _feed(client, screen, other_token)
    assert response.status_code == 403 and response.get_json()["error"]
    response = client.get(f"/screens/{screen.id}/feed.txt", headers=auth("wrong"))
    assert response.status_code == 403 and response.headers["Content-Type"] == "text/plain; charset=GBK"
    assert response.data.decode("gbk").strip()
    assert client.get("/screens/999/feed.json", headers=auth(token)).status_code == 404
    # Gateways that can only be given a URL put the token in the query.
    assert client.get(f"/screens/{screen.id}/feed.json?token={token}").status_code == 200
    fresh()
    db.session.get(Screen, screen.id).active = False
    db.session.commit()
    response = _feed(client, screen, token)
    assert response.status_code == 403 and response.get_json()["error"]


def test_publishing_bumps_every_screen_of_the_area_and_only_those(
    client, make_screen, sample_users, sample_kind, sample_levels, sample_jurisdiction
):
    xiushui, _ = make_screen(XIUSHUI)
    sunjia, _ = make_screen(SUNJIAZHUANG)
    nanlou, _ = make_screen(NANLOU)
    exercise_screen, _ = make_screen(XIUSHUI, is_test=True)
    local = issue(
        sample_kind,
        sample_levels["yellow"],
        sample_users,
        area_scope="townships",
        townships=[township(sample_jurisdiction, XIUSHUI), township(sample_jurisdiction, SUNJIAZHUANG)],
    )
    assert [_version(s.id) for s in (xiushui, sunjia, nanlou, exercise_screen)] == [2, 2, 1, 1]
    rows = db.session.execute(
        select(Delivery.address, Delivery.channel, Delivery.gateway, Delivery.status)
        .where(Delivery.revision_id == local.id, Delivery.channel == "led")
        .order_by(Delivery.address)
    ).all()
    assert rows == [
        (f"screen:{xiushui.id}", "led", "led", "pending"),
        (f"screen:{sunjia.id}", "led", "led", "pending"),
    ]
    # Narrowed to one township: the other loses the warning, so its feed changes too.
    narrowed = change(
        local.warning,
        "upgrade",
        sample_levels["orange"],
        sample_users,
        area_scope="townships",
        townships=[township(sample_jurisdiction, XIUSHUI)],
    )
    assert [_version(s.id) for s in (xiushui, sunjia, nanlou)] == [3, 3, 1]
    log = db.session.execute(
        select(ScreenFeedVersion.screen_id, ScreenFeedVersion.version, ScreenFeedVersion.reason)
        .where(ScreenFeedVersion.revision_id == narrowed.id)
        .order_by(ScreenFeedVersion.screen_id)
    ).all()
    assert log == [(xiushui.id, 3, "upgrade"), (sunjia.id, 3, "upgrade")]
    county = issue(sample_kind, sample_levels["yellow"], sample_users, headline_zh="全县黄色预警")
    assert [_version(s.id) for s in (xiushui, sunjia, nanlou, exercise_screen)] == [4, 4, 2, 1]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.revision_id == county.id, Delivery.channel == "led")
        )
        == 3
    )


def test_upgrade_then_lifting_then_idle_after_the_notice(
    client, make_screen, sample_users, sample_kind, sample_levels, app
):
    screen, token = make_screen()
    t0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with freeze_time(t0) as frozen:
        first = issue(sample_kind, sample_levels["yellow"], sample_users)
        assert _feed(client, screen, token).get_json()["level"]["code"] == "yellow"
        frozen.tick(timedelta(hours=1))
        change(first.warning, "upgrade", sample_levels["red"], sample_users, headline_zh="升级为红色预警")
        data = _feed(client, screen, token).get_json()
        assert (data["version"], data["state"], data["level"]["code"]) == (3, "warning", "red")
        frozen.tick(timedelta(hours=1))
        change(
            first.warning,
            "lift",
            sample_levels["red"],
            sample_users,
            headline_zh="盂县解除重污染天气红色预警",
        )
        data = _feed(client, screen, token).get_json()
        assert (data["version"], data["state"]) == (4, "lifted")
        assert data["pages"][0]["lines"][0] == "重污染天气红色预警解除"
        assert data["pages"][0]["colour"] == colours.ALL_CLEAR
        frozen.tick(timedelta(hours=app.config.get("SCREEN_LIFT_NOTICE_HOURS", 12), minutes=1))
        data = _feed(client, screen, token).get_json()
        assert (data["version"], data["state"]) == (5, "idle")
        reasons = db.session.scalars(
            select(ScreenFeedVersion.reason)
            .where(ScreenFeedVersion.screen_id == screen.id)
            .order_by(ScreenFeedVersion.version)
        ).all()
        assert reasons == ["created", "issue", "upgrade", "lift", "expiry"]
        # Polling on changes nothing more.
        assert _feed(client, screen, token).get_json()["version"] == 5


def test_a_warning_whose_episode_ended_leaves_the_screen(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    screen, token = make_screen()
    t0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with freeze_time(t0) as frozen:
        issue(
            sample_kind,
            sample_levels["yellow"],
            sample_users,
            episode_start=t0,
            episode_end=t0 + timedelta(hours=6),
        )
        assert _feed(client, screen, token).get_json()["state"] == "warning"
        frozen.tick(timedelta(hours=6, seconds=1))
        data = _feed(client, screen, token).get_json()
        assert (data["state"], data["version"]) == ("idle", 3)


def test_exercises_show_only_on_exercise_screens_marked_as_such(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    public, public_token = make_screen()
    office, office_token = make_screen(is_test=True, chars=20)
    revision = issue(sample_kind, sample_levels["red"], sample_users)
    revision.warning.is_exercise = True
    db.session.commit()
    assert _feed(client, public, public_token).get_json()["state"] == "idle"
    data = _feed(client, office, office_token).get_json()
    assert data["state"] == "warning"
    assert data["pages"][0]["lines"][0].startswith("【演练】")
    assert data["items"][0]["exercise"] is True


def test_two_current_warnings_most_severe_first(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    screen, token = make_screen(chars=20, lines=3)
    issue(sample_kind, sample_levels["yellow"], sample_users, headline_zh="甲地黄色预警")
    issue(sample_kind, sample_levels["red"], sample_users, headline_zh="乙地红色预警")
    data = _feed(client, screen, token).get_json()
    assert [i["level"]["code"] for i in data["items"]] == ["red", "yellow"]
    assert data["level"]["code"] == "red"
    firsts = [data["pages"][i["first_page"]]["lines"][0] for i in data["items"]]
    assert firsts == ["重污染天气红色预警", "重污染天气黄色预警"]
    assert len(data["pages"]) == sum(i["page_count"] for i in data["items"])


def test_no_audit_noise_from_polling(client, make_screen):
    screen, token = make_screen()
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for _ in range(3):
        _feed(client, screen, token)
    fresh()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
