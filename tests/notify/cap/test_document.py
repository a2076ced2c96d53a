"""CAP 1.2 documents of published revisions: valid against the OASIS schema, Alert → Update →
Cancel with references, times in +08:00, stable identifiers, areas with GB/T 2260 geocodes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from lxml import etree
from sqlalchemy import select

from notify.cap import NS
from notify.cap.document import NotPublished, cap_xml
from notify.cap.validation import errors_of, validate
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.models import AlertKind, CapMessage, Township
from tests.conftest import proposal, take_to

N = {"cap": NS}
TIME_ELEMENTS = ("sent", "effective", "onset", "expires")
IDENTIFIER = re.compile(r"^140322-\d{14}-\d{4}$")


def doc(revision):
    xml = cap_xml(revision)
    root = validate(xml)  # raises with the schema's errors if it is not CAP 1.2
    assert errors_of(root) == []
    return xml, root


def one(root, path):
    found = root.xpath(path, namespaces=N)
    assert len(found) == 1, (path, found)
    return found[0].text


def infos(root):
    return {i.findtext("cap:language", namespaces=N): i for i in root.findall("cap:info", N)}


def param(info, name):
    return info.xpath(f"cap:parameter[cap:valueName='{name}']/cap:value/text()", namespaces=N)


def assert_times_have_offset(xml: bytes):
    text = xml.decode()
    for name in TIME_ELEMENTS:
        for value in re.findall(rf"<{name}>([^<]*)</{name}>", text):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", value), (name, value)
    assert "Z<" not in text


def _lifecycle(users, kind, levels, **extra):
    with freeze_time("2026-11-23 06:30:00"):
        issue = propose_issue(
            kind,
            proposal(
                levels["yellow"],
                episode_start=datetime(2026, 11, 23, 16, tzinfo=UTC),
                episode_end=datetime(2026, 11, 26, 16, tzinfo=UTC),
                **extra,
            ),
            users["office"],
        )
        db.session.commit()
        take_to(issue, "published", users)
    with freeze_time("2026-11-24 01:05:09"):
        upgrade = propose_change(
            issue.warning,
            "upgrade",
            proposal(levels["red"], headline_zh="升级为红色预警", headline_en="Upgraded to red"),
            users["office"],
        )
        take_to(upgrade, "published", users)
    with freeze_time("2026-11-25 02:00:00"):
        lift = propose_change(
            issue.warning,
            "lift",
            proposal(levels["red"], headline_zh="解除红色预警", headline_en="Red warning lifted"),
            users["office"],
        )
        take_to(lift, "published", users)
    return issue, upgrade, lift


def test_issue_upgrade_and_lift_are_valid_cap_with_a_references_chain(
    sample_users, sample_kind, sample_levels
):
    issue, upgrade, lift = _lifecycle(sample_users, sample_kind, sample_levels)
    xml1, first = doc(issue)
    xml2, second = doc(upgrade)
    xml3, third = doc(lift)

    assert one(first, "/cap:alert/cap:msgType") == "Alert"
    assert one(second, "/cap:alert/cap:msgType") == "Update"
    assert one(third, "/cap:alert/cap:msgType") == "Cancel"
    for root in (first, second, third):
        assert one(root, "/cap:alert/cap:status") == "Actual"
        assert one(root, "/cap:alert/cap:scope") == "Public"
        assert one(root, "/cap:alert/cap:incidents") == issue.warning.reference
        assert set(infos(root)) == {"zh-CN", "en-US"}
    for xml in (xml1, xml2, xml3):
        assert_times_have_offset(xml)

    # Published 06:30 UTC = 14:30 in Yu County: identifier = county code + local time + sequence.
    id1, sent1 = one(first, "//cap:identifier"), one(first, "//cap:sent")
    assert id1 == "140322-20261123143000-0001" and sent1 == "2026-11-23T14:30:00+08:00"
    id2, sent2 = one(second, "//cap:identifier"), one(second, "//cap:sent")
    assert id2 == "140322-20261124090509-0001" and sent2 == "2026-11-24T09:05:09+08:00"
    sender = one(first, "//cap:sender")
    assert first.xpath("//cap:references", namespaces=N) == []
    assert one(second, "//cap:references") == f"{sender},{id1},{sent1}"
    assert one(third, "//cap:references") == (f"{sender},{id1},{sent1} {sender},{id2},{sent2}")

    zh, en = infos(first)["zh-CN"], infos(first)["en-US"]
    assert zh.findtext("cap:severity", namespaces=N) == "Moderate"
    assert param(zh, "level") == ["yellow"] and param(zh, "levelName") == ["黄色预警"]
    assert param(en, "levelName") == ["Yellow warning"] and param(en, "levelNumeral") == ["III"]
    assert zh.findtext("cap:event", namespaces=N) == "重污染天气预警"
    assert en.findtext("cap:headline", namespaces=N) == "Yu County issues a yellow warning"
    assert zh.findtext("cap:onset", namespaces=N) == "2026-11-24T00:00:00+08:00"
    assert zh.findtext("cap:expires", namespaces=N) == "2026-11-27T00:00:00+08:00"
    assert "儿童" in zh.findtext("cap:instruction", namespaces=N)
    assert "Children" in en.findtext("cap:instruction", namespaces=N)
    assert zh.xpath("cap:area/cap:geocode/cap:value/text()", namespaces=N) == ["140322"]
    assert zh.findtext("cap:area/cap:areaDesc", namespaces=N) == "盂县"
    assert infos(second)["zh-CN"].findtext("cap:severity", namespaces=N) == "Extreme"
    lifted = infos(third)["en-US"]
    assert lifted.findtext("cap:responseType", namespaces=N) == "AllClear"
    assert lifted.findtext("cap:urgency", namespaces=N) == "Past"


def test_identifier_is_stable_and_sequenced_within_the_local_day(sample_users, sample_kind, sample_levels):
    with freeze_time("2026-11-23 06:30:00"):
        a = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
        db.session.commit()
        take_to(a, "published", sample_users)
    with freeze_time("2026-11-23 15:59:59"):  # 23:59:59 local: the same local day
        b = propose_issue(
            sample_kind, proposal(sample_levels["orange"]), sample_users["office"], confirm_overlap=True
        )
        db.session.commit()
        take_to(b, "published", sample_users)
    with freeze_time("2026-11-23 16:00:00"):  # 00:00 local on the 24th: the sequence starts again
        c = propose_issue(
            sample_kind, proposal(sample_levels["red"]), sample_users["office"], confirm_overlap=True
        )
        db.session.commit()
        take_to(c, "published", sample_users)
    first = cap_xml(a)
    db.session.commit()
    ids = [validate(cap_xml(r)).findtext("cap:identifier", namespaces=N) for r in (a, b, c)]
    assert ids == ["140322-20261123143000-0001", "140322-20261123235959-0002", "140322-20261124000000-0001"]
    assert all(IDENTIFIER.match(i) for i in ids)
    # Same bytes every time, and the header is stored once per revision.
    db.session.expire_all()
    assert cap_xml(a) == first
    assert db.session.scalar(select(CapMessage.identifier).where(CapMessage.revision_id == a.id)) == ids[0]


def test_exercise_is_status_exercise_and_still_valid(sample_users, sample_kind, sample_levels):
    revision = propose_issue(sample_kind, proposal(sample_levels["orange"]), sample_users["office"])
    revision.warning.is_exercise = True
    db.session.commit()
    take_to(revision, "published", sample_users)
    xml, root = doc(revision)
    assert one(root, "//cap:status") == "Exercise"
    assert "演练" in one(root, "//cap:note")
    assert infos(root)["en-US"].findtext("cap:severity", namespaces=N) == "Severe"


def test_townships_each_get_an_area_with_their_geocode(
    sample_users, sample_kind, sample_levels, sample_jurisdiction
):
    towns = list(
        db.session.scalars(
            select(Township)
            .where(Township.jurisdiction_id == sample_jurisdiction.id)
            .order_by(Township.code)
            .limit(2)
        )
    )
    revision = propose_issue(
        sample_kind,
        proposal(sample_levels["yellow"], area_scope="townships", townships=towns),
        sample_users["office"],
    )
    db.session.commit()
    take_to(revision, "published", sample_users)
    _, root = doc(revision)
    zh = infos(root)["zh-CN"]
    assert zh.xpath("cap:area/cap:geocode/cap:value/text()", namespaces=N) == [t.code for t in towns]
    assert zh.xpath("cap:area/cap:geocode/cap:valueName/text()", namespaces=N) == ["GB/T 2260"] * 2
    assert zh.xpath("cap:area/cap:areaDesc/text()", namespaces=N) == [f"盂县{t.name_zh}" for t in towns]
    en = infos(root)["en-US"]
    assert en.xpath("cap:area/cap:areaDesc/text()", namespaces=N)[0] == f"{towns[0].name_en}, Yu County"


def test_kind_without_levels_is_minor(sample_users, sample_jurisdiction):
    ozone = db.session.scalar(
        select(AlertKind).where(
            AlertKind.jurisdiction_id == sample_jurisdiction.id, AlertKind.code == "ozone_prompt"
        )
    )
    revision = propose_issue(
        ozone, proposal(ozone.levels[0], headline_zh="臭氧污染预警提示"), sample_users["office"]
    )
    db.session.commit()
    take_to(revision, "published", sample_users)
    _, root = doc(revision)
    assert {i.findtext("cap:severity", namespaces=N) for i in root.findall("cap:info", N)} == {"Minor"}
    assert param(infos(root)["zh-CN"], "level") == ["prompt"]


def test_only_published_revisions_have_a_document(sample_draft, sample_users):
    with pytest.raises(NotPublished):
        cap_xml(sample_draft)
    take_to(sample_draft, "approved", sample_users)
    with pytest.raises(NotPublished):
        cap_xml(sample_draft)


def test_the_schema_rejects_what_cap_forbids(sample_published):
    root = etree.fromstring(cap_xml(sample_published))
    root.find("cap:sent", N).text = "2026-11-23T06:30:00Z"  # CAP 1.2 forbids Z
    root.find("cap:msgType", N).text = "Warning"
    errors = errors_of(root)
    assert any("sent" in e for e in errors) and any("msgType" in e for e in errors)
