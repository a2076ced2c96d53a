"""The audit log: one county's events only (issue 13 item 12), filtered by user, action and date in
the query string, keyset pages, a CSV of the whole selection with inert cells, bad filters a 400
that changes nothing; events named and summarised in the reader's language (issue 12 item 7)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from notify import audit
from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.extensions import db
from notify.models import AuditEvent, Role, User
from tests.conftest import PASSWORD_HASH, fresh, login, take_to

URL = "/admin/audit"
# 10:00 in Beijing on 20 November.
# Instants are passed explicitly; everything else runs on the suite's frozen scene clock
# (tests/scene_clock.py), so the fixed dates hold on any day.
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def wuan_admin(sample_users) -> User:
    """A second county on the same platform, with its own administrator."""
    wuan = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    user = User(jurisdiction=wuan, username="wuan_admin", display_name="武安 管理员", role=Role.ADMIN.value)
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    db.session.commit()
    return user


def _record(action: str, at: datetime, **kwargs) -> int:
    event = audit.record(action, at=at, **kwargs)
    db.session.commit()
    return event.id


def _shown(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-event="(\d+)"', html)]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _count() -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_each_county_reads_only_its_own_events(client, sample_users, wuan_admin):
    office = sample_users["office"]
    yu = [
        _record("login", T0, actor=office, subject=office),
        _record("tipoff.identity_viewed", T0 + timedelta(minutes=1), actor=office, summary="JB-1: viewed"),
    ]
    wuan = [
        _record("login", T0 + timedelta(minutes=2), actor=wuan_admin, subject=wuan_admin),
        # A refused log-in names the account tried, not an actor: it is that account's county's.
        _record("login.failed", T0 + timedelta(minutes=3), actor_name="wuan_admin", summary="wrong"),
        _record(
            "tipoff.identity_viewed", T0 + timedelta(minutes=4), actor=wuan_admin, summary="JB-2: viewed"
        ),
    ]
    login(client, "admin")
    page = client.get(URL).get_data(as_text=True)
    shown = _shown(page)
    assert set(yu) <= set(shown) and not set(wuan) & set(shown)
    # Neither the CSV, nor a page continued from another county's event, nor its user.
    rows = _csv(client.get(URL + ".csv", buffered=True))
    assert "wuan_admin" not in repr(rows) and "武安 管理员" not in repr(rows)
    assert client.get(f"{URL}?after={wuan[0]}").status_code == 400
    assert client.get(f"{URL}?user={wuan_admin.id}").status_code == 400
    assert "wuan_admin" not in page
    client.post("/admin/logout")

    login(client, "wuan_admin")
    shown = _shown(client.get(URL).get_data(as_text=True))
    assert set(wuan) <= set(shown) and not set(yu) & set(shown)


def test_filters_by_user_action_and_local_day(client, sample_users):
    office, deputy = sample_users["office"], sample_users["deputy"]
    late_on_the_20th = datetime(2026, 11, 20, 15, 59, tzinfo=UTC)  # 23:59 in Beijing
    early_on_the_21st = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 00:00 in Beijing
    a = _record("login", late_on_the_20th, actor=office, subject=office)
    b = _record("login", early_on_the_21st, actor=deputy, subject=deputy)
    c = _record("logout", early_on_the_21st + timedelta(hours=1), actor=office, subject=office)
    # A refused log-in under the office's user name belongs to the office's filter too.
    d = _record("login.failed", early_on_the_21st + timedelta(hours=2), actor_name="office", summary="x")
    login(client, "admin")

    def shown(query: str) -> set[int]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        return set(_shown(response.get_data(as_text=True))) & {a, b, c, d}

    assert shown(f"user={office.id}") == {a, c, d}
    assert shown("action=login") == {a, b}
    assert shown("from=2026-11-20&to=2026-11-20") == {a}
    assert shown("from=2026-11-21") == {b, c, d}
    assert shown(f"user={office.id}&action=logout&from=2026-11-21&to=2026-11-21") == {c}
    # The CSV holds the same selection.
    rows = _csv(client.get(f"{URL}.csv?user={office.id}&from=2026-11-21", buffered=True))
    assert sorted(r[3] for r in rows[1:]) == ["login.failed", "logout"]


def test_pages_follow_on_without_gaps_or_repeats(client, sample_users):
    office = sample_users["office"]
    # 120 events, some sharing a second: the page order is by time, then id.
    ids = [
        _record("settings.expert", T0 + timedelta(seconds=i // 3), actor=office, summary=f"e{i}")
        for i in range(120)
    ]
    login(client, "admin")
    seen: list[int] = []
    url = f"{URL}?action=settings.expert"
    pages = 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _shown(html)
        pages += 1
        following = re.search(r'href="([^"]+)" data-test="next-page"', html)
        url = following.group(1).replace("&amp;", "&") if following else None
        if pages > 1:
            assert 'data-test="first-page"' in html
    assert pages == 3
    assert seen == sorted(ids, key=lambda i: (T0 + timedelta(seconds=(i - ids[0]) // 3), i), reverse=True)
    # An event recorded meanwhile does not shift the page after a given event.
    second = client.get(f"{URL}?action=settings.expert&after={seen[49]}").get_data(as_text=True)
    _record("settings.expert", T0 + timedelta(hours=1), actor=office, summary="new")
    assert _shown(
        client.get(f"{URL}?action=settings.expert&after={seen[49]}").get_data(as_text=True)
    ) == _shown(second)


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-13-01",
        "to=yesterday",
        "from=2026-11-21&to=2026-11-20",
        "after=abc",
        "after=999999",
        "user=abc",
        "user=999999",
        "action=drop%20table",
    ],
)
def test_bad_filters_are_a_400_with_a_reason_and_change_nothing(query, client, sample_users):
    _record("login", T0, actor=sample_users["office"], subject=sample_users["office"])
    login(client, "admin")
    before = _count()
    page = client.get(f"{URL}?{query}")
    assert page.status_code == 400 and 'data-test="audit-error"' in page.get_data(as_text=True)
    export = client.get(f"{URL}.csv?{query}", buffered=True)
    assert export.status_code == 400 and export.get_data(as_text=True).strip()
    assert _count() == before  # not even an export event


@pytest.mark.parametrize("username", ["office", "deputy", "publicity", "unit"])
def test_only_the_administrator_reads_the_log(username, client, sample_users):
    login(client, username)
    assert client.get(URL).status_code == 403
    assert client.get(URL + ".csv", buffered=True).status_code == 403


def test_csv_is_the_whole_selection_with_inert_cells_and_is_audited(client, sample_users):
    for i in range(60):
        _record("settings.expert", T0 + timedelta(seconds=i), actor=sample_users["office"], summary="x")
    # What a visitor typed as a user name ends up in the log: it must not run as a formula.
    _record("login.failed", T0 + timedelta(minutes=5), actor_name='=HYPERLINK("http://x")', summary="y")
    login(client, "admin")
    rows = _csv(client.get(f"{URL}.csv", buffered=True))
    codes = [r[3] for r in rows[1:]]
    assert codes.count("settings.expert") == 60  # every row, not a page of 50
    assert codes[0] == "audit.export"  # the export itself is in the trail, newest first
    refused = next(r for r in rows if r[3] == "login.failed")
    assert refused[1] == '\'=HYPERLINK("http://x")'
    fresh()
    export = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.export"))
    assert export.actor_id == sample_users["admin"].id


def test_events_are_named_and_summarised_in_the_readers_language(
    client, sample_users, sample_draft, sample_recipients
):
    take_to(sample_draft, "pending_approval", sample_users)
    # An old row: written before details were structured, its stored summary is shown.
    _record(
        "revision.submit",
        T0,
        actor=sample_users["office"],
        summary="旧的摘要",
        warning_id=sample_draft.warning_id,
    )
    login(client, "admin")
    zh = client.get(URL).get_data(as_text=True)
    submit = zh.split('data-action="revision.submit"', 1)[1].split("</tr>", 1)[0]
    assert "草稿 → " in submit and "pending_approval" not in submit and "draft →" not in submit
    assert "旧的摘要" in zh
    client.get("/lang/en")
    en = client.get(URL).get_data(as_text=True)
    submit = en.split('data-action="revision.submit"', 1)[1].split("</tr>", 1)[0]
    assert "Submitted for approval" in submit and "Draft → Pending approval" in submit
    assert ">revision.submit<" not in en
    # The warning's timeline names and summarises its events the same way.
    timeline = client.get(f"/admin/warnings/{sample_draft.warning_id}").get_data(as_text=True)
    timeline = timeline.split('class="history timeline"', 1)[1]
    assert "Draft created" in timeline and "<code>revision.draft</code>" not in timeline
    assert f"{sample_draft.warning.reference} #1: Issue" in timeline


def test_the_platforms_own_actors_are_named(client, sample_users):
    _record(
        "scheduler.late_run",
        T0,
        actor_name="scheduler",
        summary="job late",
        detail={"job": "daily", "due": [T0.isoformat()], "ran_at": T0.isoformat(), "late_seconds": 90},
    )
    login(client, "admin")
    client.get("/lang/en")
    row = (
        client.get(URL)
        .get_data(as_text=True)
        .split('data-action="scheduler.late_run"', 1)[1]
        .split("</tr>")[0]
    )
    assert "<td>Scheduler" in row and "Timed job ran late" in row and "90 s late" in row


def test_the_demos_whole_trail_reads_in_words(client):
    """Every event a real run records (the demo's morning, exercise and set-up) is named, and its
    summary is rendered from its data, in both languages: no code, no stored English."""
    from notify.demo.seed import demo_password, seed_demo

    assert seed_demo() is True
    fresh()
    for event in db.session.scalars(select(AuditEvent)):
        assert event.jurisdiction_id is not None, event.action
    login(client, "admin", password=demo_password())
    for lang in ("en", "zh_CN"):
        client.get(f"/lang/{lang}")
        rows = _csv(client.get(URL + ".csv", buffered=True))
        assert len(rows) > 50
        for _when, who, what, code, summary, _reason, _address in rows[1:]:
            assert what != code and "." not in what, code
            assert who not in ("scheduler", "system", "gateway"), code
            # States and steps in words, not as their stored codes.
            assert not any(
                raw in summary for raw in ("pending_approval", "draft →", "→ approved", " upgrade")
            ), code
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    "query", ["user=99999999999999999999", "user=²", "after=99999999999999999999", "after=١"]
)
def test_out_of_range_or_non_ascii_numbers_are_refused_not_a_server_error(client, sample_users, query):
    login(client, "admin")
    assert client.get(f"/admin/audit?{query}").status_code == 400
    assert client.get(f"/admin/audit.csv?{query}").status_code == 400
