"""The Atom feeds at their documented URLs: valid Atom 1.0, one entry per CAP document, links that
resolve to valid CAP 1.2 documents and public pages, liftings kept for a day, ETag and 304."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from freezegun import freeze_time
from lxml import etree

from notify.cap import NS as CAP
from notify.cap.validation import validate
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from tests.conftest import proposal, take_to

ATOM = "http://www.w3.org/2005/Atom"
N = {"a": ATOM, "cap": CAP}


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = etree.fromstring(response.get_data())
    assert root.tag == f"{{{ATOM}}}feed"
    # RFC 4287 §4.1.1: a feed has exactly one id, title and updated, and an author (here on the feed).
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"a:{name}", N)) == 1, name
    assert root.find("a:author/a:name", N).text
    assert root.find("a:link[@rel='self']", N).get("href").endswith(url)
    return root


def entries(root):
    out = []
    for entry in root.findall("a:entry", N):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"a:{name}", N)) == 1, name
        alternate = entry.find("a:link[@rel='alternate']", N)
        assert alternate.get("type") == "application/cap+xml"
        assert entry.find("a:id", N).text == alternate.get("href")
        out.append(entry)
    return out


def resolve(client, entry):
    """Follow an entry's links: a valid CAP document with the same identifier, and a public page."""
    href = entry.find("a:link[@rel='alternate']", N).get("href")
    response = client.get(urlsplit(href).path)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/cap+xml")
    document = validate(response.get_data())
    assert document.findtext("cap:identifier", namespaces=N) == entry.findtext("cap:identifier", namespaces=N)
    assert document.findtext("cap:msgType", namespaces=N) == entry.findtext("cap:msgType", namespaces=N)
    page = client.get(urlsplit(entry.find("a:link[@rel='related']", N).get("href")).path)
    assert page.status_code == 200
    return document


def _warning(users, kind, levels):
    with freeze_time("2026-11-23 06:30:00"):
        issue = propose_issue(kind, proposal(levels["yellow"], headline_zh="黄色预警发布"), users["office"])
        db.session.commit()
        take_to(issue, "published", users)
    with freeze_time("2026-11-23 10:00:00"):
        upgrade = propose_change(
            issue.warning, "upgrade", proposal(levels["orange"], headline_zh="升级橙色"), users["office"]
        )
        take_to(upgrade, "published", users)
    return issue, upgrade


def test_current_feed_lists_the_latest_document_of_each_warning(
    client, sample_users, sample_kind, sample_levels
):
    issue, upgrade = _warning(sample_users, sample_kind, sample_levels)
    with freeze_time("2026-11-23 11:00:00"):
        root = feed(client, "/feeds/cap.atom")
    (entry,) = entries(root)
    assert entry.findtext("a:title", namespaces=N) == "升级橙色"
    assert entry.findtext("cap:msgType", namespaces=N) == "Update"
    assert entry.findtext("cap:severity", namespaces=N) == "Severe"
    assert entry.findtext("a:updated", namespaces=N) == "2026-11-23T18:00:00+08:00"
    assert root.findtext("a:updated", namespaces=N) == "2026-11-23T18:00:00+08:00"
    document = resolve(client, entry)
    assert issue.warning.reference == document.findtext("cap:incidents", namespaces=N)


def test_a_lifting_stays_in_the_current_feed_for_a_day(client, sample_users, sample_kind, sample_levels):
    issue, _ = _warning(sample_users, sample_kind, sample_levels)
    with freeze_time("2026-11-24 00:00:00"):
        lift = propose_change(
            issue.warning,
            "lift",
            proposal(sample_levels["orange"], headline_zh="解除橙色预警"),
            sample_users["office"],
        )
        take_to(lift, "published", sample_users)
    with freeze_time("2026-11-24 23:00:00"):
        (entry,) = entries(feed(client, "/feeds/cap.atom"))
        assert entry.findtext("cap:msgType", namespaces=N) == "Cancel"
        assert resolve(client, entry).findtext("cap:references", namespaces=N).count(",") == 4
    with freeze_time("2026-11-25 00:00:01"):
        assert entries(feed(client, "/feeds/cap.atom")) == []
        history = entries(feed(client, "/feeds/history.atom"))
    assert [e.findtext("cap:msgType", namespaces=N) for e in history] == ["Cancel", "Update", "Alert"]
    for entry in history:
        resolve(client, entry)


def test_feeds_answer_304_and_keep_their_etag_until_something_is_published(
    client, sample_users, sample_kind, sample_levels
):
    issue, _ = _warning(sample_users, sample_kind, sample_levels)
    with freeze_time("2026-11-23 11:00:00"):
        first = client.get("/feeds/cap.atom")
        etag = first.headers["ETag"]
        assert client.get("/feeds/cap.atom", headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/feeds/cap.atom").headers["ETag"] == etag
    with freeze_time("2026-11-23 12:00:00"):
        extend = propose_change(
            issue.warning,
            "extend",
            proposal(
                sample_levels["orange"],
                headline_zh="延长",
                episode_end=datetime(2026, 11, 28, tzinfo=UTC),
            ),
            sample_users["office"],
        )
        take_to(extend, "published", sample_users)
        assert client.get("/feeds/cap.atom", headers={"If-None-Match": etag}).status_code == 200


def test_the_feed_is_autodiscoverable_from_the_pages(client, sample_published):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/feeds/cap.atom"' in page
    assert client.get("/cap/140322-20000101000000-0001.xml").status_code == 404
