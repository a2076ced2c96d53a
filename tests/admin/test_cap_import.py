"""CAP import in the console: a valid document becomes a draft (never published by the import),
an invalid one is refused with the schema's errors, hostile XML is refused unread; all audited."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from notify.cap.document import cap_xml
from notify.cap.importer import ImportRefused, import_cap
from notify.extensions import db
from notify.models import AuditEvent, CapImport, Revision, Warning
from tests.conftest import fresh, login

ALERT = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>140300.yangquan.example</sender>
  <sent>2026-11-23T10:00:00+08:00</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>{references}
  <info>
    <language>zh-CN</language>
    <category>Env</category>
    <event>{event}</event>
    <urgency>Expected</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <effective>2026-11-23T12:00:00+08:00</effective>
    <onset>2026-11-24T00:00:00+08:00</onset>
    <expires>2026-11-27T00:00:00+08:00</expires>
    <senderName>阳泉市重污染天气应急指挥部</senderName>
    <headline>{headline}</headline>
    <description>受不利气象条件影响，预计我市将出现重污染天气过程。</description>{parameters}
    <area>
      <areaDesc>盂县</areaDesc>{geocodes}
    </area>
  </info>
  <info>
    <language>en-US</language>
    <category>Env</category>
    <event>{event_en}</event>
    <urgency>Expected</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <headline>Yangquan forwards a heavy pollution warning</headline>
    <area><areaDesc>Yu County</areaDesc></area>
  </info>
</alert>
"""


def cap_doc(
    *,
    identifier="140300-20261123100000-0007",
    status="Actual",
    msg_type="Alert",
    references="",
    event="重污染天气预警",
    event_en="Heavy pollution weather warning",
    severity="Severe",
    headline="阳泉市转发重污染天气橙色预警",
    level="orange",
    geocodes=("140322",),
) -> bytes:
    parameters = (
        f"\n    <parameter><valueName>level</valueName><value>{level}</value></parameter>" if level else ""
    )
    codes = "".join(
        f"\n        <geocode><valueName>GB/T 2260</valueName><value>{c}</value></geocode>" for c in geocodes
    )
    refs = f"\n  <references>{references}</references>" if references else ""
    return ALERT.format(
        identifier=identifier,
        status=status,
        msg_type=msg_type,
        references=refs,
        event=event,
        event_en=event_en,
        severity=severity,
        headline=headline,
        parameters=parameters,
        geocodes=codes,
    ).encode()


def upload(client, data: bytes, name="alert.xml", **fields):
    return client.post(
        "/admin/cap-import",
        data={"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


@pytest.fixture
def office(client, sample_users, sample_kind):
    login(client, "office")
    client.set_cookie("lang", "en")  # the messages asserted below are the English ones
    return client


def imports():
    fresh()
    return db.session.scalars(select(CapImport).order_by(CapImport.id)).all()


def test_a_valid_alert_becomes_a_draft_and_nothing_is_published(office, sample_users, sample_levels):
    response = upload(office, cap_doc())
    assert response.status_code == 302
    (record,) = imports()
    assert record.outcome == "drafted" and record.identifier == "140300-20261123100000-0007"
    revision = db.session.get(Revision, record.revision_id)
    assert response.headers["Location"].endswith(f"/admin/revisions/{revision.id}")
    assert revision.state == "draft" and revision.action == "issue" and revision.level.code == "orange"
    assert revision.author.username == "office" and revision.area_scope == "county"
    assert revision.headline_zh == "阳泉市转发重污染天气橙色预警"
    assert revision.headline_en == "Yangquan forwards a heavy pollution warning"
    assert revision.episode_start.isoformat() == "2026-11-23T16:00:00+00:00"
    assert revision.episode_end.isoformat() == "2026-11-26T16:00:00+00:00"
    assert revision.advisories["health"]  # the level's advice, as for any draft
    assert not revision.warning.is_exercise
    assert "data-empty" in office.get("/").get_data(as_text=True)  # a draft is not public
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cap.import"))
    assert event.actor_id == sample_users["office"].id and event.warning_id == revision.warning_id
    assert "阳泉" not in office.get(f"/warnings/{revision.warning.reference}").get_data(as_text=True)


def test_townships_by_geocode_and_an_exercise_stays_an_exercise(office, sample_jurisdiction):
    codes = [t.code for t in sample_jurisdiction.townships[:2]]
    assert upload(office, cap_doc(status="Exercise", geocodes=codes)).status_code == 302
    revision = db.session.get(Revision, imports()[0].revision_id)
    assert revision.area_scope == "townships" and [t.code for t in revision.townships] == codes
    assert revision.warning.is_exercise


def test_level_by_severity_when_the_document_has_no_native_level(office):
    assert upload(office, cap_doc(level=None, severity="Extreme")).status_code == 302
    assert db.session.get(Revision, imports()[0].revision_id).level.code == "red"


def test_update_and_cancel_continue_the_warning_they_reference(office, sample_published, sample_users):
    from tests.conftest import take_to

    ours = cap_xml(sample_published)
    db.session.commit()
    from lxml import etree

    root = etree.fromstring(ours)
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    triple = ",".join(root.findtext(f"cap:{n}", namespaces=ns) for n in ("sender", "identifier", "sent"))
    response = upload(
        office,
        cap_doc(
            identifier="140300-20261123110000-0008",
            msg_type="Update",
            references=triple,
            level="red",
            severity="Extreme",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    upgrade = db.session.get(Revision, imports()[0].revision_id)
    assert upgrade.warning_id == sample_published.warning_id and upgrade.action == "upgrade"
    assert upgrade.state == "draft" and upgrade.level.code == "red"
    # One open proposal per warning: a Cancel now is refused with the lifecycle's reason.
    refused = upload(
        office, cap_doc(identifier="140300-20261123120000-0009", msg_type="Cancel", references=triple)
    )
    assert refused.status_code == 422 and "#2" in refused.get_data(as_text=True)
    take_to(upgrade, "rejected", sample_users)
    assert (
        upload(
            office, cap_doc(identifier="140300-20261123120000-0010", msg_type="Cancel", references=triple)
        ).status_code
        == 302
    )
    lift = db.session.get(Revision, imports()[-1].revision_id)
    assert lift.action == "lift" and lift.level.code == "yellow" and lift.state == "draft"


def test_an_invalid_document_is_refused_with_the_schema_errors(office):
    response = upload(office, cap_doc(severity="Catastrophic"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "not a valid CAP 1.2 document" in page
    assert "line 14" in page and "line 33" in page and "severity" in page and "Catastrophic" in page
    no_scope = upload(office, cap_doc(identifier="x-2").replace(b"<scope>Public</scope>", b""))
    assert no_scope.status_code == 422 and "scope" in no_scope.get_data(as_text=True)
    record = imports()[0]
    assert record.outcome == "rejected" and record.revision_id is None and "Catastrophic" in record.error
    assert db.session.scalar(select(Warning.id)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cap.import_rejected"))


@pytest.mark.parametrize(
    "doc, says",
    [
        (cap_doc(event="森林火险预警", event_en="Forest fire danger"), "森林火险预警"),
        (cap_doc(level="purple"), "purple"),
        (cap_doc(geocodes=("110101",)), "110101"),
        (cap_doc(geocodes=()), "geocode"),
        (cap_doc(status="Test"), "Test"),
        (cap_doc(msg_type="Update"), "references"),
        (cap_doc(msg_type="Update", references="x,140300-1,2026-11-23T10:00:00+08:00"), "140300-1"),
    ],
)
def test_documents_that_do_not_map_are_refused_with_what_is_wrong(office, doc, says):
    response = upload(office, doc)
    assert response.status_code == 422 and says in response.get_data(as_text=True)
    assert db.session.scalar(select(Revision.id)) is None


def test_the_same_document_is_not_imported_twice_nor_one_we_published(office, sample_published):
    overlapping = upload(office, cap_doc())  # our own warning of the kind is in force county-wide
    assert overlapping.status_code == 422 and sample_published.warning.reference in overlapping.get_data(
        as_text=True
    )
    assert upload(office, cap_doc(), confirm_overlap="y").status_code == 302
    again = upload(office, cap_doc(), confirm_overlap="y")
    assert again.status_code == 422 and "already imported" in again.get_data(as_text=True)
    ours = cap_xml(sample_published)
    db.session.commit()
    assert upload(office, ours).status_code == 422


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;</identifier></alert>"""
XXE = (
    cap_doc()
    .replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    )
    .replace(b"<headline>", b"<headline>&xxe;")
)
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE alert SYSTEM "http://127.0.0.1:9/cap.dtd"><alert/>'


@pytest.mark.parametrize(
    "data, says",
    [
        (BILLION_LAUGHS, "DTD"),
        (XXE, "DTD"),
        (EXTERNAL_DTD, "DTD"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "not well-formed XML"),
        (b"<alert><unclosed></alert>", "not well-formed XML"),
        ("﻿<?xml version='1.0' encoding='UTF-16'?><alert/>".encode("utf-16"), "CAP 1.2"),
        (b" " * 600_000, "larger than"),
    ],
)
def test_hostile_or_broken_uploads_are_refused_unread_never_a_500(office, data, says):
    response = upload(office, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and says in page
    assert "root:" not in page
    assert imports()[0].outcome == "rejected"


def test_an_empty_upload_or_no_file_is_a_400(office):
    assert upload(office, b"", name="").status_code == 400
    assert office.post("/admin/cap-import", data={}).status_code == 400


def test_only_office_staff_import(client, sample_users):
    login(client, "deputy")
    assert client.get("/admin/cap-import").status_code == 403
    assert upload(client, cap_doc()).status_code == 403
    assert imports() == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(
            lambda t: f"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>{t}</alert>".encode()
        ),
        st.sampled_from([cap_doc()]).map(lambda d: d[: len(d) // 2]),
    )
)
def test_any_bytes_are_either_a_draft_or_a_clear_refusal(sample_users, sample_kind, data):
    try:
        outcome = import_cap(data, filename="fuzz.xml", actor=sample_users["office"], max_bytes=512 * 1024)
        assert outcome.revision.state == "draft"
    except ImportRefused as refused:
        assert refused.message
    finally:
        db.session.rollback()
