"""The public enterprise pages: the grading list with its search and filters, the notice board
with and without a measure in force, its QR code and printable sheet, and tip-offs that name an
enterprise from its board."""

from __future__ import annotations

import re

import pytest
import segno
from sqlalchemy import func, select

from notify.extensions import db
from notify.models import Tipoff
from notify.public.enterprises import board_url, qr_svg
from tests.conftest import fresh, login, take_to
from tests.notify.enterprises.board_builders import (
    MEASURE_III,
    create_duty,
    create_named_tipoff,
    create_plan,
)
from tests.notify.enterprises.builders import create_enterprise, credit_code
from tests.notify.tipoffs.fixtures import post_tipoff


@pytest.fixture
def listed(sample_jurisdiction):
    townships = list(sample_jurisdiction.townships)
    made = {
        "lime": create_enterprise(
            sample_jurisdiction, name="盂县晋龙石灰有限公司", grade="A", township=townships[0]
        ),
        "foundry": create_enterprise(
            sample_jurisdiction,
            name="盂县宏达铸造有限公司",
            industry="foundry",
            grade="C",
            township=townships[1],
        ),
        "closed": create_enterprise(sample_jurisdiction, name="盂县已关停有限公司", active=False),
        "classified": create_enterprise(sample_jurisdiction, name="盂县涉密材料厂", classified=True),
    }
    db.session.commit()
    return made


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_is_public_searchable_and_filtered(client, listed, sample_jurisdiction):
    page = client.get("/enterprises")
    assert page.status_code == 200
    body = _text(page)
    assert "盂县晋龙石灰有限公司" in body and "盂县宏达铸造有限公司" in body and "已关停" not in body
    assert "涉密" not in body  # 001 §五: classified enterprises are not published
    assert client.get(f"/enterprises/{listed['classified'].credit_code}").status_code == 404
    assert 'data-test="nav-enterprises"' in body
    assert body.index("盂县晋龙石灰有限公司") < body.index("盂县宏达铸造有限公司")  # grade A first
    assert 'data-grade="A"' in body and 'data-grade="C"' in body
    assert page.headers["Cache-Control"] == "public, max-age=60" and page.headers["ETag"]
    assert "Cookie" in page.headers["Vary"]
    again = client.get("/enterprises", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304

    found = _text(client.get("/enterprises?q=晋龙"))
    assert "盂县晋龙石灰有限公司" in found and "盂县宏达铸造有限公司" not in found
    by_code = _text(client.get(f"/enterprises?q={listed['foundry'].credit_code.lower()}"))
    assert "盂县宏达铸造有限公司" in by_code and "盂县晋龙石灰有限公司" not in by_code
    township = listed["foundry"].township_id
    filtered = _text(client.get(f"/enterprises?township={township}&industry=foundry&grade=C"))
    assert "盂县宏达铸造有限公司" in filtered and "盂县晋龙石灰有限公司" not in filtered
    assert _text(client.get("/enterprises?grade=B")).count("data-empty") == 1


def test_the_list_in_english_keeps_its_language(client, listed):
    body = _text(client.get("/enterprises?lang=en&q=晋"))
    assert "Enterprise performance grades" in body and "Grade A" in body and "Lime kilns" in body
    assert 'name="lang" value="en"' in body  # the search form stays in English


@pytest.mark.parametrize("query", ["grade=Z", "township=x", "industry=steel", "page=two", "q=" + "长" * 101])
def test_a_bad_filter_is_a_400_with_a_reason(client, listed, query):
    response = client.get(f"/enterprises?{query}")
    assert response.status_code == 400
    assert 'data-test="form-message"' in _text(response) and response.headers["Cache-Control"] == "no-store"


def test_the_board_without_a_response_in_force(client, listed):
    e = listed["lime"]
    create_plan(e)
    db.session.commit()
    response = client.get(f"/enterprises/{e.credit_code}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=60"
    body = _text(response)
    assert "盂县晋龙石灰有限公司" in body and "石灰窑" in body and 'class="grade-chip grade-A"' in body
    assert 'data-test="no-response"' in body and 'data-test="measure"' not in body
    # The plan's measures at each level, without the responsible people's phones.
    assert body.index("1号生产线停产") < body.index("1号、2号生产线停产") < body.index("全厂停产")
    assert "李四" in body and "13900000001" not in body
    assert f"/tipoffs/new?enterprise={e.credit_code}" in body


def test_the_board_without_a_plan_invents_nothing(client, listed):
    body = _text(client.get(f"/enterprises/{listed['foundry'].credit_code}"))
    assert 'data-test="no-plan"' in body and 'data-test="no-response"' in body


def test_the_board_shows_the_measure_in_force(client, sample_users, sample_draft, sample_jurisdiction):
    take_to(sample_draft, "published", sample_users)
    e = create_enterprise(sample_jurisdiction, name="盂县新建石灰有限公司", grade="B")
    create_plan(e)
    create_duty(sample_draft, e)
    db.session.commit()

    body = _text(client.get(f"/enterprises/{e.credit_code}"))

    assert f'data-test="measure">{MEASURE_III}<' in body
    assert 'data-level="yellow"' in body and 'data-response="III"' in body
    english = _text(client.get(f"/enterprises/{e.credit_code}?lang=en"))
    assert "Level Ⅲ response (yellow warning)" in english and "Grade B" in english
    assert 'data-test="no-response"' not in body
    assert sample_draft.warning.reference in body


def test_the_board_lists_tipoffs_and_their_findings_but_not_the_reporter(client, listed):
    e = listed["lime"]
    closed = create_named_tipoff(e, anonymous=False, name="赵六", phone="+8613800138000")
    closed.state, closed.outcome, closed.reply = "closed", "true", "已责令整改（仅答复举报人）"
    db.session.commit()

    body = _text(client.get(f"/enterprises/{e.credit_code}"))

    assert closed.ticket_number in body and "核查结论" in body
    for secret in ("赵六", "13800138000", "举报人看到的细节", "仅答复举报人", "厂区东门"):
        assert secret not in body


@pytest.mark.parametrize("code", ["nope", "91140322MA0000001X", "9114032" + "2" * 11, "<script>"])
def test_a_malformed_or_unknown_code_is_404(client, listed, code):
    for suffix in ("", "/qr.svg", "/print"):
        assert client.get(f"/enterprises/{code}{suffix}").status_code == 404


def test_an_inactive_enterprise_has_no_board(client, listed):
    assert client.get(f"/enterprises/{listed['closed'].credit_code}").status_code == 404


def test_a_lower_case_code_is_redirected_to_the_board(client, listed):
    code = listed["lime"].credit_code
    response = client.get(f"/enterprises/{code.lower()}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/enterprises/{code}")


def test_the_qr_code_holds_the_boards_address(app, client, listed, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://yuxian.example.cn/")
    code = listed["lime"].credit_code
    response = client.get(f"/enterprises/{code}/qr.svg")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("image/svg+xml")
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    url = f"https://yuxian.example.cn/enterprises/{code}"
    with app.test_request_context():
        assert board_url(code) == url
    # The drawing's dark modules are exactly those of the address's QR symbol (what a phone
    # decodes), and the address is its title for people and screen readers.
    assert _dark_modules(_text(response)) == _dark_modules_of(url)
    assert _dark_modules(_text(response)) != _dark_modules_of(url + "X")
    assert f"<title>{url}</title>" in _text(response) and response.data == qr_svg(url)


def _dark_modules(svg: str) -> set[tuple[int, int]]:
    """Read segno's SVG path (runs of dark modules: M/m moves, h draws) back into modules."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(y - 4.5), int(x - 4) + i) for i in range(int(float(a))))
            x += float(a)
    return dark


def _dark_modules_of(url: str) -> set[tuple[int, int]]:
    symbol = segno.make(url, error="q", micro=False)
    return {(r, c) for r, row in enumerate(symbol.matrix) for c, on in enumerate(row) if on}


def test_the_printable_board(client, listed):
    e = listed["lime"]
    create_plan(e)
    db.session.commit()
    body = _text(client.get(f"/enterprises/{e.credit_code}/print?lang=en"))
    assert "Emergency emission-reduction notice board" in body and e.credit_code in body
    assert "Grade A" in body and "Level Ⅰ response (red warning)" in body
    assert f"/enterprises/{e.credit_code}/qr.svg" in body and "全厂停产" in body
    assert "@page" not in body  # print rules live in the stylesheet
    assert "enterprise_print.js" in body and "<script>" not in body


def test_the_report_form_names_the_enterprise_and_starts_at_its_township(client, listed, sample_tipoff_env):
    e = listed["foundry"]
    body = _text(client.get(f"/tipoffs/new?enterprise={e.credit_code.lower()}"))
    assert 'data-test="about-enterprise"' in body and "盂县宏达铸造有限公司" in body
    assert f'name="enterprise" type="hidden" value="{e.credit_code}"' in body
    assert re.search(rf'<option selected value="{e.township_id}">', body)


def test_a_tipoff_sent_from_the_board_names_the_enterprise(client, listed, sample_tipoff_env):
    e = listed["foundry"]
    response = post_tipoff(client, sample_tipoff_env, e.township_id, enterprise=e.credit_code)
    assert response.status_code == 201
    fresh()
    tipoff = db.session.scalar(select(Tipoff))
    assert tipoff.enterprise_id == e.id
    board = _text(client.get(f"/enterprises/{e.credit_code}"))
    assert tipoff.ticket_number in board


@pytest.mark.parametrize("code, status", [("91140322MA9999999", 400), ("NOT-A-CODE", 400), (None, 400)])
def test_an_unknown_or_malformed_enterprise_is_refused_and_nothing_is_lost(
    client, listed, sample_tipoff_env, code, status
):
    wanted = code or credit_code(987654)  # a valid code no enterprise has
    response = post_tipoff(
        client, sample_tipoff_env, listed["lime"].township_id, enterprise=wanted, address="某厂东门外"
    )
    assert response.status_code == status
    body = _text(response)
    assert 'data-error="enterprise"' in body and "某厂东门外" in body
    assert 'name="enterprise" type="hidden" value=""' in body  # the next attempt names none
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Tipoff)) == 0


def test_the_form_from_an_unknown_board_says_so(client, listed, sample_tipoff_env):
    assert client.get(f"/tipoffs/new?enterprise={credit_code(987655)}").status_code == 404
    malformed = client.get("/tipoffs/new?enterprise=abc")
    assert malformed.status_code == 400 and 'data-error="enterprise"' in _text(malformed)


def test_the_console_tipoff_page_names_the_enterprise(client, listed, sample_users):
    tipoff = create_named_tipoff(listed["lime"])
    db.session.commit()
    login(client, "office")
    body = _text(client.get(f"/admin/tipoffs/{tipoff.id}"))
    assert 'data-test="enterprise"' in body and "盂县晋龙石灰有限公司" in body
    assert f'href="/admin/enterprises/{tipoff.enterprise_id}"' in body
