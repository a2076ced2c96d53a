"""Schools in the console: the registry and its CSV import, the per-revision dashboard (numbers
per township, live JSON), the export for the education bureau, and who may see what."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from notify.extensions import db
from notify.models import AuditEvent, Delivery, MemberUnit, Role, School, SchoolNotice, User
from notify.models.deliveries import Status
from notify.schools import acknowledge
from tests.conftest import PASSWORD_HASH, fresh, login, take_to

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def schools(sample_jurisdiction):
    from notify.demo.schools import seed_schools

    seed_schools(sample_jurisdiction)
    db.session.commit()
    return list(db.session.scalars(select(School).order_by(School.id)))


@pytest.fixture
def bureau(sample_users, sample_jurisdiction) -> User:
    """A user of the county's education bureau (县教科局), the unit in charge of schools."""
    unit = db.session.scalar(select(MemberUnit).where(MemberUnit.code == "education_science_bureau"))
    assert unit.oversees_schools  # as the jurisdiction's data says
    user = User(
        jurisdiction=sample_jurisdiction,
        username="bureau",
        display_name="教科局联络员",
        role=Role.MEMBER_UNIT.value,
        member_unit=unit,
    )
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def published(schools, sample_draft, sample_users):
    with freeze_time(T0):
        take_to(sample_draft, "published", sample_users)
    return sample_draft


def _states(revision, schools):
    """First school of every township confirms; the second of 秀水镇 is not reached."""
    seen, acked = set(), []
    for s in schools:
        if s.township_id not in seen:
            seen.add(s.township_id)
            acked.append(s)
    notices = {
        n.school_id: n
        for n in db.session.scalars(select(SchoolNotice).where(SchoolNotice.revision_id == revision.id))
    }
    for s in acked:
        acknowledge.acknowledge(notices[s.id], via="link", by="校长", now=T0 + timedelta(minutes=5))
    table = Delivery.__table__
    db.session.execute(
        update(table).where(table.c.purpose == "school_notice").values(status=Status.DELIVERED)
    )
    db.session.execute(
        update(table)
        .where(table.c.address == schools[1].head_phone, table.c.purpose == "school_notice")
        .values(status=Status.UNDELIVERED, error_code="MK:0001")
    )
    db.session.commit()
    return acked


def test_the_registry_page_lists_schools_contacts_and_instructions(client, sample_users, schools):
    login(client, "office")
    page = client.get("/admin/schools")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("data-school=") == 68
    assert "盂县第一中学校" in html and schools[0].head_phone in html
    assert 'data-test="contacts"' in html and "县教科局" in html
    assert "停止室外课程及活动" in html and "可恢复室外课程及活动" in html
    one_town = client.get(f"/admin/schools?township={schools[-1].township_id}").get_data(as_text=True)
    assert one_town.count("data-school=") < 10
    assert client.get("/admin/schools?township=x").status_code == 400


def test_importing_through_the_console_names_bad_lines_and_keeps_nothing(client, sample_users):
    login(client, "office")
    bad = (
        "code,name,type,township,head_name,head_phone\n"
        "A1,甲校,primary,秀水镇,甲,13903540001\n"
        "A2,乙,?,秀水镇,乙,1"
    )
    answer = client.post(
        "/admin/schools/import",
        data={"file": (io.BytesIO(bad.encode()), "s.csv")},
        content_type="multipart/form-data",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'data-line="3"' in html and 'data-line="2"' not in html
    assert db.session.scalar(select(func.count()).select_from(School)) == 0
    good = "学校代码,学校名称,类型,乡镇,校长,校长电话\nA1,甲校,小学,秀水镇,甲,13903540001"
    answer = client.post(
        "/admin/schools/import",
        data={"file": (io.BytesIO(good.encode("gbk")), "s.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    fresh()
    assert db.session.scalar(select(func.count()).select_from(School)) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "schools.import"))
    assert event.detail["added"] == 1 and event.actor_name.startswith("office")
    assert (
        client.post("/admin/schools/import", data={}, content_type="multipart/form-data").status_code == 400
    )


def test_only_the_office_and_the_administrator_import(client, sample_users):
    login(client, "publicity")
    answer = client.post(
        "/admin/schools/import",
        data={"file": (io.BytesIO(b"x"), "s.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 403
    assert client.get("/admin/schools").status_code == 200


def test_the_dashboard_counts_per_township(client, published, schools, bureau):
    acked = _states(published, schools)
    login(client, "bureau")  # the education bureau is a member unit
    data = client.get(f"/admin/revisions/{published.id}/schools.json").get_json()
    total = data["total"]
    assert (total["schools"], total["acknowledged"], total["silent"]) == (68, 13, 55)
    assert (total["delivered"], total["not_reached"], total["in_flight"]) == (67, 1, 0)
    xiushui = next(t for t in data["townships"] if t["name_zh"] == "秀水镇")
    assert (xiushui["schools"], xiushui["acknowledged"], xiushui["not_reached"]) == (13, 1, 1)
    assert sum(t["acknowledged"] for t in data["townships"]) == len(acked)
    html = client.get(f"/admin/revisions/{published.id}/schools").get_data(as_text=True)
    assert 'data-count="acknowledged">13<' in html and html.count('data-acknowledged="true"') == 13
    silent = client.get(f"/admin/revisions/{published.id}/schools?only=silent").get_data(as_text=True)
    assert silent.count("data-school=") == 55 and 'data-acknowledged="true"' not in silent
    not_reached = client.get(f"/admin/revisions/{published.id}/schools?only=not_reached").get_data(
        as_text=True
    )
    assert not_reached.count("data-school=") == 1 and "MK:0001" in not_reached
    assert client.get(f"/admin/revisions/{published.id}/schools?only=x").status_code == 400


def test_the_export_for_the_education_bureau(client, published, schools, bureau):
    _states(published, schools)
    login(client, "bureau")
    answer = client.get(f"/admin/revisions/{published.id}/schools.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(answer.data))
    summary, detail = book.worksheets
    rows = list(summary.iter_rows(values_only=True))
    totals = rows[-1]
    assert totals[1:4] == (68, 13, 0) and totals[5] == 1
    assert len(list(detail.iter_rows(values_only=True))) == 69
    phones = {r[5] for r in detail.iter_rows(min_row=2, values_only=True)}
    assert schools[0].head_phone in phones  # the bureau calls silent schools
    assert isinstance(rows[3][1], str) and rows[4][0] == "秀水镇"
    csv_answer = client.get(f"/admin/revisions/{published.id}/schools.csv")
    lines = list(csv.reader(io.StringIO(csv_answer.data.decode("utf-8-sig"))))
    assert len(lines) == 69
    fresh()
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "schools.export")
        )
        == 2
    )


@pytest.mark.parametrize("username", ["publicity", "unit", "other_unit", "deputy", "commander"])
def test_other_roles_see_masked_numbers_and_cannot_export(username, client, published, schools, bureau):
    """Only those who call schools see whole numbers: a member unit other than the education
    bureau sees them masked, in the dashboard and the registry, and exports nothing."""
    if username == "other_unit":
        unit = db.session.scalar(select(MemberUnit).where(MemberUnit.code == "market_regulation_bureau"))
        db.session.add(
            User(
                jurisdiction=bureau.jurisdiction,
                username="other_unit",
                display_name="市场监管局联络员",
                role=Role.MEMBER_UNIT.value,
                member_unit=unit,
                password_hash=bureau.password_hash,
            )
        )
        db.session.commit()
    login(client, username)
    for page in (f"/admin/revisions/{published.id}/schools", "/admin/schools"):
        html = client.get(page).get_data(as_text=True)
        assert schools[0].head_phone not in html and schools[0].head_phone[-4:] in html, page
        assert schools[0].duty_phone not in html, page
    assert 'data-test="export-xlsx"' not in html
    for fmt in ("xlsx", "csv"):
        assert client.get(f"/admin/revisions/{published.id}/schools.{fmt}").status_code == 403
    assert client.get(f"/admin/revisions/{published.id}/schools.pdf").status_code in (403, 404)
    fresh()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "schools.export")) is None


@pytest.mark.parametrize("username", ["office", "admin", "bureau"])
def test_the_office_the_administrator_and_the_bureau_see_whole_numbers(
    username, client, published, schools, bureau
):
    login(client, username)
    html = client.get(f"/admin/revisions/{published.id}/schools").get_data(as_text=True)
    assert schools[0].head_phone in html and 'data-test="export-xlsx"' in html
    assert client.get(f"/admin/revisions/{published.id}/schools.csv").status_code == 200


def test_an_unpublished_or_foreign_revision_has_no_dashboard(client, schools, sample_draft, sample_users):
    login(client, "office")
    assert client.get(f"/admin/revisions/{sample_draft.id}/schools").status_code == 404
    assert client.get("/admin/revisions/99999/schools.json").status_code == 404


def test_schools_is_worded_for_each_of_its_meanings(client, published, schools):
    """'Schools' names the registry (学校), a count of schools (学校数) and the schools an
    instruction applies to (适用学校); never the school instructions (学校停课及户外活动安排)."""
    login(client, "office")
    page = client.get("/admin/schools").get_data(as_text=True)
    assert 'data-test="nav-schools">学校</a>' in page and "<title>学校" in page
    assert '<th class="num">学校数</th>' in page and "<th>适用学校</th>" in page
    dashboard = client.get(f"/admin/revisions/{published.id}/schools").get_data(as_text=True)
    assert "学校数" in dashboard and "<h2>学校</h2>" in dashboard
    book = load_workbook(io.BytesIO(client.get(f"/admin/revisions/{published.id}/schools.xlsx").data))
    assert book.sheetnames[1] == "学校"
    assert next(book.worksheets[0].iter_rows(min_row=4, max_row=4, values_only=True))[1] == "学校数"
    for html in (page, dashboard):
        assert "学校停课及户外活动安排</a>" not in html and "<th>学校停课及户外活动安排</th>" not in html


def test_the_administrator_says_which_unit_is_in_charge_of_schools(client, published, schools, bureau):
    unit = bureau.member_unit
    login(client, "admin")
    form = client.get(f"/admin/units/{unit.id}/edit").get_data(as_text=True)
    (checkbox,) = re.findall(r'<input[^>]*name="oversees_schools"[^>]*>', form)
    assert "checked" in checkbox  # the jurisdiction's data marks the bureau
    answer = client.post(
        f"/admin/units/{unit.id}/edit",
        data={"code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en, "active": "y"},
    )
    assert answer.status_code == 302
    client.post("/admin/logout")
    fresh()
    assert db.session.get(MemberUnit, unit.id).oversees_schools is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.member_unit"))
    assert event.detail["changed"]["oversees_schools"] == [True, False]
    login(client, "bureau")
    html = client.get(f"/admin/revisions/{published.id}/schools").get_data(as_text=True)
    assert schools[0].head_phone not in html
    assert client.get(f"/admin/revisions/{published.id}/schools.csv").status_code == 403
