"""The enterprise registry in the console: the list with its search, filters and counts per
grade, one enterprise with its lines and contacts, the two CSV imports (office and administrator
only, audited, nothing kept from a refused file) and the templates."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from notify.demo.enterprises import seed_enterprises
from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.enterprises import registry
from notify.extensions import db
from notify.models import AuditEvent, Enterprise, ProductionLine, Township
from tests.conftest import fresh, login
from tests.notify.enterprises.builders import create_enterprise, create_line, credit_code


@pytest.fixture
def yu_enterprises(sample_jurisdiction) -> list[Enterprise]:
    seed_enterprises(sample_jurisdiction)
    db.session.commit()
    return list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))


def _upload(client, url: str, text: str, encoding: str = "utf-8"):
    return client.post(
        url,
        data={"file": (io.BytesIO(text.encode(encoding)), "list.csv")},
        content_type="multipart/form-data",
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("user", ["office", "admin", "unit", "publicity", "deputy", "commander"])
def test_every_console_role_reads_the_list_and_the_detail(client, sample_users, yu_enterprises, user):
    login(client, user)
    html = client.get("/admin/enterprises").get_data(as_text=True)
    assert html.count("data-enterprise=") == len(yu_enterprises) and 'data-test="nav-enterprises"' in html
    assert ('id="import-enterprises"' in html) == (user in ("office", "admin"))
    e = yu_enterprises[0]
    detail = client.get(f"/admin/enterprises/{e.id}")
    assert detail.status_code == 200 and e.name in detail.get_data(as_text=True)
    shown = e.env_officer_phone in html
    assert shown == (user in ("office", "admin")) and e.env_officer_phone[-4:] in html


def test_the_list_counts_per_grade_and_filters_by_township_industry_grade_and_text(
    client, sample_users, yu_enterprises
):
    login(client, "office")
    html = client.get("/admin/enterprises").get_data(as_text=True)
    for grade in ("A", "B", "C", "D", "leading", "non_leading", "exempt"):
        n = sum(e.grade == grade for e in yu_enterprises)
        assert f'data-grade-count="{grade}">{n}<' in html
    town = yu_enterprises[0].township_id
    page = client.get(f"/admin/enterprises?township={town}").get_data(as_text=True)
    assert page.count("data-enterprise=") == sum(e.township_id == town for e in yu_enterprises)
    page = client.get("/admin/enterprises?industry=refractory").get_data(as_text=True)
    assert page.count("data-enterprise=") == sum(e.industry == "refractory" for e in yu_enterprises)
    page = client.get("/admin/enterprises?industry=refractory/unshaped_refractory&grade=leading").get_data(
        as_text=True
    )
    assert page.count("data-enterprise=") == 1
    page = client.get("/admin/enterprises?industry=refractory/&grade=D").get_data(as_text=True)
    assert page.count("data-enterprise=") == sum(
        (e.industry, e.subtype, e.grade) == ("refractory", "", "D") for e in yu_enterprises
    )
    assert 'data-grade-count="leading">0<' in page  # the industry proper holds no sub-type's grades
    # Counts per grade follow the other filters, so every grade's count shows beside the one chosen.
    page = client.get("/admin/enterprises?industry=refractory&grade=D").get_data(as_text=True)
    assert page.count("data-enterprise=") == 2
    assert 'data-grade-count="leading">1<' in page and 'data-grade-count="C">3<' in page
    e = yu_enterprises[5]
    by_name = client.get("/admin/enterprises", query_string={"q": e.name[2:6]}).get_data(as_text=True)
    assert f'data-enterprise="{e.credit_code}"' in by_name
    by_code = client.get("/admin/enterprises", query_string={"q": e.credit_code[:15].lower()}).get_data(
        as_text=True
    )
    assert f'data-enterprise="{e.credit_code}"' in by_code and by_code.count("data-enterprise=") == 1
    for bad in ("industry=steel", "industry=cement/castings", "grade=E", "township=x", "page=0"):
        assert client.get(f"/admin/enterprises?{bad}").status_code == 400, bad


def test_the_detail_shows_lines_with_their_basis_and_the_contacts(client, sample_users, sample_jurisdiction):
    e = create_enterprise(sample_jurisdiction, name="盂县测试石灰有限公司")
    create_line(
        e, name="1号窑", processes="破碎,煅烧", capacity_eia=600, capacity_permit=550, capacity_actual=580
    )
    db.session.commit()
    login(client, "deputy")
    html = client.get(f"/admin/enterprises/{e.id}").get_data(as_text=True)
    assert 'data-line-name="1号窑"' in html and "破碎、煅烧" in html
    assert 'data-test="basis"><strong>550<' in html
    assert 'data-test="enterprise-contacts"' in html and e.env_officer in html
    assert client.get(f"/admin/enterprises/{e.id + 999}").status_code == 404


def test_another_countys_enterprise_is_not_found(client, sample_users, sample_jurisdiction):
    wuan = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    town = Township(jurisdiction=wuan, code="130481100", name_zh="武安镇", name_en="Wu'an")
    db.session.add(town)
    db.session.flush()
    theirs = create_enterprise(wuan, township=town)
    db.session.commit()
    login(client, "office")
    assert client.get(f"/admin/enterprises/{theirs.id}").status_code == 404
    assert 'data-enterprise="' not in client.get("/admin/enterprises").get_data(as_text=True)


def test_importing_enterprises_and_lines_through_the_forms(client, sample_users, sample_jurisdiction):
    login(client, "office")
    code = credit_code()
    bad = (
        "统一社会信用代码,企业名称,乡镇,行业,绩效分级,环保负责人电话\n"
        f"{code},盂县甲石灰有限公司,秀水镇,石灰窑,B,13903551001\n"
        f"{code[:17]}{'0' if code[17] != '0' else '1'},盂县乙石灰有限公司,秀水镇,石灰窑,B,13903551002\n"
    )
    answer = _upload(client, "/admin/enterprises/import", bad)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'data-line="3"' in html and 'data-line="2"' not in html
    fresh()
    assert _count(Enterprise) == 0
    good = (
        "统一社会信用代码,企业名称,乡镇,行业,绩效分级,环保负责人电话\n"
        f"{code},盂县甲石灰有限公司,秀水镇,石灰窑,B,13903551001\n"
    )
    answer = _upload(client, "/admin/enterprises/import", good, "gbk")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/enterprises")
    lines = (
        "统一社会信用代码,生产线,工序,环评批复产能,排污许可产能,上年实际产量\n"
        f"{code},1号石灰窑,破碎、煅烧,600,550,500\n"
    )
    assert _upload(client, "/admin/enterprises/lines/import", lines).status_code == 302
    fresh()
    assert _count(Enterprise) == 1 and _count(ProductionLine) == 1
    events = {
        e.action: e
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("enterprises.%")))
    }
    assert events["enterprises.import"].detail["added"] == 1
    assert events["enterprises.lines_import"].detail["added"] == 1
    assert events["enterprises.import"].actor_name.startswith("office")
    unknown = f"统一社会信用代码,生产线\n{credit_code()},1号线\n"
    answer = _upload(client, "/admin/enterprises/lines/import", unknown)
    assert answer.status_code == 400 and 'data-line="2"' in answer.get_data(as_text=True)
    no_file = client.post("/admin/enterprises/import", data={}, content_type="multipart/form-data")
    assert no_file.status_code == 400


def test_an_oversized_file_is_refused_before_reading_it(client, sample_users, monkeypatch):
    monkeypatch.setattr(registry, "BYTES_PER_ROW", 1)  # a limit of MAX_ROWS bytes
    login(client, "admin")
    text = "credit_code,name\n" + "x" * registry.MAX_ROWS
    answer = _upload(client, "/admin/enterprises/import", text)
    assert answer.status_code == 400 and 'data-line="0"' in answer.get_data(as_text=True)


@pytest.mark.parametrize("user", ["publicity", "unit", "deputy", "commander"])
def test_only_the_office_and_the_administrator_import(client, sample_users, user):
    login(client, user)
    for url in ("/admin/enterprises/import", "/admin/enterprises/lines/import"):
        assert _upload(client, url, "x").status_code == 403
    assert client.get("/admin/enterprises").status_code == 200


def test_the_templates_download_with_a_byte_order_mark(client, sample_users):
    login(client, "publicity")
    answer = client.get("/admin/enterprises/template.csv")
    assert answer.status_code == 200 and answer.data.startswith("\ufeff".encode())
    assert answer.data.decode("utf-8-sig") == registry.TEMPLATE_CSV
    lines = client.get("/admin/enterprises/lines-template.csv")
    assert lines.data.decode("utf-8-sig") == registry.LINES_TEMPLATE_CSV
