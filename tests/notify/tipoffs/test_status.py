"""The status page opens only with the ticket number and its query code together."""

from __future__ import annotations

import re

from notify.extensions import db
from notify.tipoffs.guard import ActionData, perform
from tests.notify.tipoffs.fixtures import make_tipoff


def _lookup(client, number, code):
    return client.post("/tipoffs/status", data={"ticket": number, "code": code})


def test_number_and_code_open_the_status_page(client, sample_tipoff_env, sample_jurisdiction):
    tipoff, code = make_tipoff(sample_jurisdiction)
    number = tipoff.ticket_number
    response = _lookup(client, number.lower(), code.lower())  # typed in lower case, still found
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert number in page and 'data-state="received"' in page and "已收到" in page


def test_a_wrong_code_or_an_unknown_number_get_the_same_answer(
    client, sample_tipoff_env, sample_jurisdiction
):
    tipoff, code = make_tipoff(sample_jurisdiction)
    wrong_code = _lookup(client, tipoff.ticket_number, "AAAA-BBBB-CCCC")
    unknown = _lookup(client, "JB-20000101-0001", code)
    assert wrong_code.status_code == unknown.status_code == 404
    message = "没有与该受理编号和查询码相符的举报"
    assert message in wrong_code.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_the_number_alone_opens_nothing(client, sample_tipoff_env, sample_jurisdiction):
    tipoff, _code = make_tipoff(sample_jurisdiction)
    for number in (tipoff.ticket_number, "JB-20000101-0001"):
        response = client.get(f"/tipoffs/status/{number}")
        assert response.status_code == 302 and response.headers["Location"].endswith("/tipoffs/status")


def test_empty_lookup_is_a_400_with_reasons(client, sample_tipoff_env, sample_jurisdiction):
    response = client.post("/tipoffs/status", data={"ticket": "", "code": ""})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "请填写受理编号" in text and "请填写查询码" in text


def test_lookups_are_limited_per_address(app, client, sample_tipoff_env, sample_jurisdiction, monkeypatch):
    monkeypatch.setitem(app.config, "TIPOFF_LIMIT_STATUS_PER_IP", "3 per hour")
    tipoff, code = make_tipoff(sample_jurisdiction)
    for _ in range(3):
        assert _lookup(client, tipoff.ticket_number, "WRONG").status_code == 404
    response = _lookup(client, tipoff.ticket_number, code)
    assert response.status_code == 429 and "查询次数过多" in response.get_data(as_text=True)


def test_the_reply_shows_only_once_approved(
    client, sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users
):
    tipoff, code = make_tipoff(sample_jurisdiction)
    office, eco = sample_users["office"], sample_unit_users["eco"]
    perform(tipoff, "accept", office)
    perform(tipoff, "refer", office, ActionData(unit_id=eco.member_unit_id))
    perform(tipoff, "start_verifying", eco)
    perform(
        tipoff,
        "submit_reply",
        eco,
        ActionData(outcome="true", reply="经查，该工地未覆盖土方，已责令整改并罚款。"),
    )
    db.session.commit()
    location = _lookup(client, tipoff.ticket_number, code).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "责令整改" not in page and "尚未答复" in page
    perform(tipoff, "approve_reply", office)
    db.session.commit()
    page = client.get(location).get_data(as_text=True)
    assert "责令整改" in page and re.search(r'data-test="outcome">属实<', page)
