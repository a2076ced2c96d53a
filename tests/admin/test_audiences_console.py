"""The audiences console: CSV import (all or nothing, errors by line, GBK), the rules matrix,
the active toggle, and who may do what."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from notify.extensions import db
from notify.models import AlertKind, AudienceGroup, AudienceRule, AuditEvent, Recipient
from tests.conftest import fresh, login


def _group(code):
    return db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == code))


def _recipients(group):
    return db.session.scalar(
        select(func.count()).select_from(Recipient).where(Recipient.group_id == group.id)
    )


def _upload(client, group, raw: bytes, name="list.csv"):
    return client.post(
        f"/admin/audiences/{group.id}/import",
        data={"file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_import_adds_and_updates_and_is_audited(client, sample_users):
    media = _group("media")
    login(client, "office")
    first = "name,phone,township\n晚报值班,13903533100,\n电视台值班,139 0353 3101,\n"
    response = _upload(client, media, first.encode())
    assert response.status_code == 302
    assert "导入完成：新增2人，更新0人。" in client.get(response.headers["Location"]).get_data(as_text=True)
    fresh()
    assert _recipients(media) == 2
    again = "phone,name,locale\n+8613903533100,晚报夜班,zh\n+447911123456,BBC desk,en\n"
    response = _upload(client, media, again.encode())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入完成：新增1人，更新1人。" in page
    fresh()
    assert _recipients(media) == 3
    assert (
        db.session.scalar(select(Recipient.name).where(Recipient.address == "+8613903533100")) == "晚报夜班"
    )
    events = _events("audience.import")
    assert [(e.detail["added"], e.detail["updated"]) for e in events] == [(2, 0), (1, 1)]
    assert events[0].detail["file"] == "list.csv" and events[0].actor_name == "office 测试"


def test_errors_are_reported_by_line_and_nothing_is_stored(client, sample_users):
    media = _group("media")
    login(client, "office")
    raw = (
        "name,phone,township\n好号码,13903533100,\n坏号码,12345,\n未知乡镇,13903533102,火星镇\n"
        "重复,13903533100,\n"
    ).encode()
    response = _upload(client, media, raw)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.findall(r'data-line="(\d+)"', html) == ["3", "4", "5"]
    assert "火星镇" in html and "12345" in html
    fresh()
    assert _recipients(media) == 0 and _events("audience.import") == []


@pytest.mark.parametrize(
    "raw, line",
    [
        (b"phone\n13903533100\n", "1"),  # no name column
        (b"\xff\xfe\x00garbage\x81", "0"),  # not text
    ],
)
def test_unusable_files_are_refused(raw, line, client, sample_users):
    login(client, "office")
    response = _upload(client, _group("media"), raw)
    assert response.status_code == 400 and f'data-line="{line}"' in response.get_data(as_text=True)


def test_missing_file_is_a_400(client, sample_users):
    login(client, "office")
    media = _group("media")
    response = client.post(f"/admin/audiences/{media.id}/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "field-error" in response.get_data(as_text=True)


def test_gbk_file_from_chinese_windows(client, sample_users):
    schools = _group("schools")
    login(client, "office")
    raw = "name,phone,township\n秀水镇第一小学,13903534000,秀水镇\n".encode("gbk")
    assert _upload(client, schools, raw).status_code == 302
    fresh()
    r = db.session.scalar(select(Recipient).where(Recipient.group_id == schools.id))
    assert r.name == "秀水镇第一小学" and r.township.name_zh == "秀水镇" and r.locale == "zh"


def test_csv_template_downloads_and_imports_as_is(client, sample_users):
    login(client, "office")
    response = client.get("/admin/audiences/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode()) and b"name,phone,township,locale" in response.data
    assert _upload(client, _group("public"), response.data).status_code == 302


def _matrix_form(client):
    html = client.get("/admin/audiences").get_data(as_text=True)
    checked = re.findall(r'name="(rule-\d+-\d+-\d+)" value="y"[^>]*checked', html)
    return html, {name: "y" for name in checked}


def test_rules_matrix_edit_is_audited(client, sample_users):
    kind = db.session.scalar(select(AlertKind).where(AlertKind.code == "heavy_pollution"))
    red = next(lv for lv in kind.levels if lv.code == "red")
    media = _group("media")
    before = db.session.scalar(select(func.count()).select_from(AudienceRule))
    login(client, "admin")
    html, form = _matrix_form(client)
    assert form, "the demo data has rules"
    removed = next(iter(form))
    del form[removed]
    added = f"rule-{kind.id}-{red.id}-{media.id}"
    assert added not in form
    form[added] = "y"
    assert client.post("/admin/audiences/rules", data=form).status_code == 302
    fresh()
    assert db.session.scalar(select(func.count()).select_from(AudienceRule)) == before
    assert db.session.scalar(
        select(AudienceRule).where(
            AudienceRule.kind_id == kind.id,
            AudienceRule.level_id == red.id,
            AudienceRule.group_id == media.id,
        )
    )
    event = _events("settings.audience_rules")[0]
    assert event.detail["added"] == [[kind.id, red.id, media.id]]
    assert event.detail["removed"] == [[int(x) for x in removed.split("-")[1:]]]
    # The page shows the saved state.
    _, again = _matrix_form(client)
    assert added in again and removed not in again


@pytest.mark.parametrize("bad", ["rule-1-2", "rule-999999-0-1", "something", "rule-1-999999-1"])
def test_rules_matrix_refuses_unknown_cells(bad, client, sample_users):
    before = db.session.scalar(select(func.count()).select_from(AudienceRule))
    login(client, "admin")
    _, form = _matrix_form(client)
    assert client.post("/admin/audiences/rules", data={**form, bad: "y"}).status_code == 400
    fresh()
    assert db.session.scalar(select(func.count()).select_from(AudienceRule)) == before


def test_office_views_and_imports_but_does_not_edit(client, sample_users, sample_recipients):
    login(client, "office")
    html = client.get("/admin/audiences").get_data(as_text=True)
    assert 'data-test="save-rules"' not in html and "disabled" in html
    assert client.post("/admin/audiences/rules", data={}).status_code == 403
    r = db.session.scalar(select(Recipient).order_by(Recipient.id))
    assert client.post(f"/admin/audiences/{r.group_id}/recipients/{r.id}/active").status_code == 403
    fresh()
    assert db.session.scalar(select(func.count()).select_from(AudienceRule)) > 0


@pytest.mark.parametrize("username", ["publicity", "deputy", "commander", "unit"])
def test_other_roles_may_not_see_or_import(username, client, sample_users):
    media = _group("media")
    login(client, username)
    assert client.get("/admin/audiences").status_code == 403
    assert client.get(f"/admin/audiences/{media.id}").status_code == 403
    assert _upload(client, media, b"name,phone\nx,13903533100\n").status_code == 403
    fresh()
    assert _recipients(media) == 0


def test_group_page_search_pages_and_active_toggle(client, sample_users, sample_recipients):
    public = _group("public")
    login(client, "admin")
    html = client.get(f"/admin/audiences/{public.id}").get_data(as_text=True)
    assert len(re.findall(r'data-recipient="', html)) == 50 and 'data-test="next-page"' in html
    assert (
        len(
            re.findall(
                r'data-recipient="', client.get(f"/admin/audiences/{public.id}?page=5").get_data(as_text=True)
            )
        )
        == 3
    )  # 203 = 4 × 50 + 3
    found = client.get(f"/admin/audiences/{public.id}?q=订阅用户007").get_data(as_text=True)
    assert len(re.findall(r'data-recipient="', found)) == 1
    assert client.get(f"/admin/audiences/{public.id}?page=0").status_code == 400
    r = db.session.scalar(select(Recipient).where(Recipient.group_id == public.id).order_by(Recipient.id))
    assert client.post(f"/admin/audiences/{public.id}/recipients/{r.id}/active").status_code == 302
    fresh()
    assert db.session.get(Recipient, r.id).active is False
    assert _events("audience.recipient_active")[0].detail == {"active": False, "group": "public"}
    other = _group("media")
    assert client.post(f"/admin/audiences/{other.id}/recipients/{r.id}/active").status_code == 404


def test_groups_list_counts_recipients(client, sample_users, sample_recipients):
    login(client, "office")
    html = client.get("/admin/audiences").get_data(as_text=True)
    assert re.search(r'data-group="public">.*?data-total="203"', html, re.S)
