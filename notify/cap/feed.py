"""Atom 1.0 feeds listing CAP documents, as public alert aggregators read them.

Each entry is one CAP document: its `<id>` and `rel="alternate"` link are the document's stable
URL (type application/cap+xml), `rel="related"` is the warning's public page, and a few CAP
elements (the cap-feeds convention) let an aggregator filter without fetching every document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from notify.cap import MIMETYPE, NS
from notify.cap.document import MSG_TYPES, severity_of
from notify.cap.times import cap_time

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Entry:
    content: dict  # the revision's frozen snapshot content
    identifier: str
    sender: str
    sent: datetime
    exercise: bool = False


def cap_url(base_url: str, identifier: str) -> str:
    return f"{base_url.rstrip('/')}/cap/{identifier}.xml"


def warning_url(base_url: str, reference: str) -> str:
    return f"{base_url.rstrip('/')}/warnings/{reference}"


def atom(
    entries: list[Entry],
    *,
    base_url: str,
    path: str,
    title: str,
    subtitle: str,
    author: str,
    updated: datetime,
    tz: str,
) -> bytes:
    base = base_url.rstrip("/")
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "cap": NS})
    feed.set(XML_LANG, "zh-CN")

    def add(parent, name: str, text: str | None = None, ns: str = ATOM, **attrs):
        element = etree.SubElement(parent, f"{{{ns}}}{name}", **attrs)
        if text is not None:
            element.text = text
        return element

    add(feed, "id", f"{base}{path}")
    add(feed, "title", title)
    add(feed, "subtitle", subtitle)
    add(feed, "updated", cap_time(updated, tz))
    add(feed, "link", rel="self", type="application/atom+xml", href=f"{base}{path}")
    add(feed, "link", rel="alternate", type="text/html", href=f"{base}/")
    add(add(feed, "author"), "name", author)
    add(feed, "generator", "county-warning-platform")
    for item in entries:
        s = item.content
        url = cap_url(base, item.identifier)
        entry = add(feed, "entry")
        add(entry, "id", url)
        add(entry, "title", s["headline"].get("zh") or s["level"]["name_zh"])
        add(entry, "updated", cap_time(item.sent, tz))
        add(entry, "published", cap_time(item.sent, tz))
        add(add(entry, "author"), "name", author)
        area = (
            "、".join(t["name_zh"] for t in s["area"].get("townships") or []) or s["jurisdiction"]["name_zh"]
        )
        add(entry, "summary", f"{s['level']['name_zh']} · {s['kind']['name_zh']} · {area}")
        add(entry, "link", rel="alternate", type=MIMETYPE, href=url)
        add(entry, "link", rel="related", type="text/html", href=warning_url(base, s["warning"]["reference"]))
        add(entry, "category", term=s["level"]["code"], label=s["level"]["name_zh"])
        add(entry, "identifier", item.identifier, ns=NS)
        add(entry, "sender", item.sender, ns=NS)
        add(entry, "sent", cap_time(item.sent, tz), ns=NS)
        add(entry, "status", "Exercise" if item.exercise else "Actual", ns=NS)
        add(entry, "msgType", MSG_TYPES[s["revision"]["action"]], ns=NS)
        add(entry, "event", s["kind"].get("cap_event_zh") or s["kind"]["name_zh"], ns=NS)
        add(entry, "severity", severity_of(s["kind"], s["level"]), ns=NS)
        add(entry, "areaDesc", area, ns=NS)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
