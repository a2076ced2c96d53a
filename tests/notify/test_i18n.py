"""zh_CN is the default language and is complete; en is one click away."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

import notify

CATALOGUE = Path(notify.__file__).parent / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
TEMPLATE = Path(notify.__file__).parent / "translations" / "messages.pot"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_message_is_translated_with_its_placeholders():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    with TEMPLATE.open("rb") as fh:
        template = read_po(fh)
    missing = [m.id for m in template if m.id and not (catalogue.get(m.id) and catalogue.get(m.id).string)]
    assert missing == []
    for message in catalogue:
        if message.id:
            assert not message.fuzzy, message.id
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), (
                message.id
            )


def test_chinese_by_default_and_english_on_request(client, sample_published):
    zh = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh and "健康防护引导" in zh and "Health advice" not in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Health advice" in en and "Yellow warning" in en
    # The choice is remembered in a cookie for the next page.
    again = client.get("/").get_data(as_text=True)
    assert "Health advice" in again
    assert "健康防护引导" in client.get("/lang/zh_CN?next=/", follow_redirects=True).get_data(as_text=True)


def test_language_switch_only_redirects_inside_the_site(client):
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/lang/en?next=//evil.example/").headers["Location"] == "/"
    assert client.get("/lang/en?next=/history").headers["Location"] == "/history"


def test_times_are_shown_in_beijing_time(client, sample_published):
    # response_start_at is 12:00 UTC in the sample; the page shows 20:00.
    assert "2026-11-23 20:00" in client.get("/").get_data(as_text=True)
