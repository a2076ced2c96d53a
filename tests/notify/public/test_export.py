"""The static export: regenerated off the request after a publication, byte for byte what the app
renders, served by the app from memory with ETag, Last-Modified, Cache-Control and 304; exercises
never shown; the app renders when the export is missing."""

from __future__ import annotations

import json

from notify import publication
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.public import export
from notify.public.export import ENVIRON_KEY, MANIFEST
from notify.public.export_runner import run_pending
from tests.conftest import proposal, take_to

RENDER = {ENVIRON_KEY: True}  # skip the exported bytes: what Flask itself answers


def manifest(directory):
    return json.loads((directory / MANIFEST).read_text())


def test_publication_regenerates_the_export_and_it_equals_what_the_app_serves(
    client, exported, sample_users, sample_kind, sample_levels
):
    first = propose_issue(
        sample_kind, proposal(sample_levels["yellow"], headline_zh="盂县黄色预警甲"), sample_users["office"]
    )
    db.session.commit()
    take_to(first, "approved", sample_users)
    assert run_pending(client.application) is False  # approval is not publication: nothing asked
    assert not (exported / MANIFEST).exists()
    publication.publish(first, sample_users["office"])
    assert not (exported / MANIFEST).exists()  # the publication did not wait for the export
    assert run_pending(client.application) is True

    files = manifest(exported)["files"]
    reference = first.warning.reference
    for url in (
        "/",
        "/en/",
        "/history",
        "/en/history",
        f"/warnings/{reference}",
        f"/en/warnings/{reference}",
        "/advice",
        "/en/advice",
        "/advice/heavy_pollution/red",
        "/en/advice/production_safety/blue",
        "/feeds/cap.atom",
        "/feeds/history.atom",
        "/static/site.css",
    ):
        assert url in files, url
    assert [u for u in files if u.startswith("/cap/")] == [f"/cap/{_identifier(first)}.xml"]
    assert (exported / "index.html").read_text().count("盂县黄色预警甲") == 1
    assert "Yu County issues a yellow warning" in (exported / "en" / "index.html").read_text()

    for url, meta in files.items():
        on_disk = (exported / meta["file"]).read_bytes()
        rendered = client.get(url, environ_overrides=RENDER)
        assert rendered.status_code == 200 and rendered.get_data() == on_disk, url
        served = client.get(url)
        assert served.get_data() == on_disk, url
        assert served.headers["ETag"] == meta["etag"] and served.headers["Last-Modified"] == meta["modified"]
        assert served.headers["Content-Type"] == meta["type"]


def _identifier(revision):
    from notify.cap.identifiers import message_for

    return message_for(revision).identifier


def test_an_upgrade_changes_only_what_it_changes(client, exported, sample_users, sample_kind, sample_levels):
    first = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    db.session.commit()
    take_to(first, "published", sample_users)
    run_pending(client.application)
    before = manifest(exported)["files"]
    upgrade = propose_change(
        first.warning,
        "upgrade",
        proposal(sample_levels["red"], headline_zh="升级红色"),
        sample_users["office"],
    )
    take_to(upgrade, "published", sample_users)
    run_pending(client.application)
    after = manifest(exported)["files"]
    assert 'data-level="red"' in (exported / "index.html").read_text()
    assert after["/"]["etag"] != before["/"]["etag"]
    advice = "/advice/heavy_pollution/yellow"
    assert after[advice] == before[advice]  # same bytes: same ETag and Last-Modified
    assert len([u for u in after if u.startswith("/cap/")]) == 2
    assert client.get("/", headers={"If-None-Match": before["/"]["etag"]}).status_code == 200
    assert client.get("/", headers={"If-None-Match": after["/"]["etag"]}).status_code == 304


def test_pages_and_feeds_answer_304_with_their_caching_headers(client, exported, sample_published):
    run_pending(client.application)
    files = manifest(exported)["files"]
    for url in ("/", "/en/", "/history", "/feeds/cap.atom"):
        first = client.get(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert etag == files[url]["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
        assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
        head = client.head(url)
        assert head.status_code == 200 and head.get_data() == b"" and head.headers["ETag"] == etag
    assert client.get("/").headers["Vary"] == "Cookie"  # the language may come from the cookie here
    assert "Vary" not in client.get("/en/").headers
    cap_url = next(u for u in files if u.startswith("/cap/"))
    assert client.get(cap_url).headers["Cache-Control"] == "public, max-age=3600"


def test_the_language_cookie_picks_the_english_twin(client, exported, sample_published):
    run_pending(client.application)
    english = (exported / "en" / "index.html").read_bytes()
    client.set_cookie("lang", "en")
    response = client.get("/")
    assert response.get_data() == english and 'lang="en"' in response.get_data(as_text=True)
    client.set_cookie("lang", "zh_CN")
    assert client.get("/").get_data() == (exported / "index.html").read_bytes()


def test_the_language_switch_links_work_without_the_app(client, exported, sample_published):
    run_pending(client.application)
    zh = (exported / "index.html").read_text()
    en = (exported / "en" / "index.html").read_text()
    assert 'href="/en/"' in zh and 'data-lang="en"' in zh
    assert 'href="/?lang=zh_CN"' in en and 'href="/en/history"' in en
    # ?lang= is for the app: it remembers the choice and renders the page itself.
    response = client.get("/?lang=zh_CN")
    assert response.status_code == 200 and "lang=zh_CN" in response.headers.get("Set-Cookie", "")


def test_exercises_are_never_on_the_public_site(client, exported, sample_users, sample_kind, sample_levels):
    drill = propose_issue(
        sample_kind, proposal(sample_levels["red"], headline_zh="演练红色预警"), sample_users["office"]
    )
    drill.warning.is_exercise = True
    db.session.commit()
    take_to(drill, "published", sample_users)
    run_pending(client.application)
    files = manifest(exported)["files"]
    assert not any(u.startswith("/cap/") for u in files)
    for url in ("/", "/history", "/feeds/cap.atom", "/feeds/history.atom"):
        assert "演练红色预警" not in client.get(url).get_data(as_text=True)
        assert "演练红色预警" not in client.get(url, environ_overrides=RENDER).get_data(as_text=True)
    assert client.get(f"/warnings/{drill.warning.reference}").status_code == 404
    assert client.get(f"/cap/{_identifier(drill)}.xml").status_code == 404


def test_without_an_export_the_app_renders_with_the_same_headers(client, sample_published):
    assert not (export.export_dir(client.application) / MANIFEST).exists()
    first = client.get("/")
    assert (
        first.status_code == 200
        and first.headers["ETag"]
        and first.headers["Cache-Control"] == "public, max-age=60"
    )
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/en/").headers["Content-Type"].startswith("text/html")


def test_a_failed_export_leaves_no_manifest_and_the_app_renders(
    client, exported, sample_published, monkeypatch
):
    export.export(client.application)
    assert (exported / MANIFEST).exists()
    real_urls = export.urls
    monkeypatch.setattr(export, "urls", lambda app: list(real_urls(app)) + ["/warnings/no-such-warning"])
    try:
        export.export(client.application)
    except RuntimeError as exc:
        assert "no-such-warning" in str(exc)
    else:
        raise AssertionError("the export should have failed")
    assert not (exported / MANIFEST).exists()
    assert 'data-level="yellow"' in client.get("/").get_data(as_text=True)


def test_the_cli_regenerates_the_export_and_settles_what_was_asked(app, exported, sample_published):
    result = app.test_cli_runner().invoke(args=["public-export"])
    assert result.exit_code == 0, result.output
    assert f"files in {exported}" in result.output
    assert 'data-level="yellow"' in (exported / "index.html").read_text()
    assert run_pending(app) is False  # the publication's request was settled by it


def test_a_lifting_leaves_the_exported_feed_by_a_job_a_day_later(
    app, exported, sample_users, sample_kind, sample_levels
):
    """Nothing is published when a lifting's day in the current feed is over; a stored job
    asks for an export then, so the files nginx serves drop it too."""
    from datetime import timedelta

    from freezegun import freeze_time

    from notify import scheduling

    with freeze_time("2026-11-23 02:00:00"):
        issue = propose_issue(sample_kind, proposal(sample_levels["orange"]), sample_users["office"])
        db.session.commit()
        take_to(issue, "published", sample_users)
        run_pending(app)
    with freeze_time("2026-11-24 00:00:00"):
        lift = propose_change(
            issue.warning,
            "lift",
            proposal(sample_levels["orange"], headline_zh="解除"),
            sample_users["office"],
        )
        db.session.commit()
        take_to(lift, "published", sample_users)
        run_pending(app)
    cap_feed = exported / "feeds" / "cap.atom"
    assert "Cancel" in cap_feed.read_text()
    job = "public-export:202611250001"
    assert scheduling.next_run_time(job) == lift.published_at + timedelta(hours=24, minutes=1)
    with freeze_time("2026-11-25 00:00:30"):
        scheduling.tick()
        assert run_pending(app) is False  # not yet due: nothing asked
        assert "Cancel" in cap_feed.read_text()
    with freeze_time("2026-11-25 00:01:00"):
        scheduling.tick()  # the job asks; the runner exports
        assert run_pending(app) is True
    assert "Cancel" not in cap_feed.read_text()
    assert scheduling.next_run_time(job) is None
