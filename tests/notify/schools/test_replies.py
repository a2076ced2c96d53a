"""Replying 1 (收到) by SMS: Aliyun pushes the uplink message to us and the school's open notice
is confirmed; every message is kept, a re-push changes nothing, bad pushes are refused whole."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from notify.extensions import db
from notify.models import InboundSms, SchoolNotice
from tests.conftest import fresh, take_to

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TOKEN = "test-uplink-token-0123456789"
URL = f"/callbacks/aliyun/uplink/{TOKEN}"


@pytest.fixture
def published(app, monkeypatch, yu_schools, sample_draft, sample_users):
    monkeypatch.setitem(app.config, "ALIYUN_UPLINK_TOKEN", TOKEN)
    with freeze_time(T0):
        take_to(sample_draft, "published", sample_users)
    return sample_draft


def push(client, *items, url=URL):
    return client.post(
        url,
        data=json.dumps(list(items), ensure_ascii=False).encode(),
        content_type="application/json;charset=utf-8",
    )


def message(number: str, content: str, seq: int, **extra):
    return {
        "phone_number": number.removeprefix("+86"),
        "send_time": "2026-11-23 09:10:00",
        "content": content,
        "sign_name": "盂县应急指挥部",
        "dest_code": "",
        "sequence_id": seq,
        **extra,
    }


def notice(school) -> SchoolNotice:
    fresh()
    return db.session.scalar(select(SchoolNotice).where(SchoolNotice.school_id == school.id))


def kept() -> list[InboundSms]:
    fresh()
    return list(db.session.scalars(select(InboundSms).order_by(InboundSms.id)))


def test_replying_1_from_the_head_confirms(client, published, yu_schools):
    school = yu_schools[0]
    with freeze_time(T0 + timedelta(minutes=4)):
        answer = push(client, message(school.head_phone, "1", 101))
    assert answer.status_code == 200 and answer.get_json()["code"] == 0
    n = notice(school)
    assert n.acknowledged_at == T0 + timedelta(minutes=4)
    assert (n.acknowledged_via, n.acknowledged_by, n.acknowledged_phone) == (
        "sms",
        school.head_name,
        school.head_phone,
    )
    [row] = kept()
    assert (row.outcome, row.phone, row.content, row.school_notice_id) == (
        "acknowledged",
        school.head_phone,
        "1",
        n.id,
    )
    assert row.sent_at == datetime(2026, 11, 23, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("text", ["收到", "１", " 1。", "收到!", "已收到"])
def test_the_duty_contact_may_answer_in_words_or_full_width(client, published, yu_schools, text):
    school = yu_schools[5]
    push(client, message(school.duty_phone, text, 7))
    n = notice(school)
    assert n.acknowledged_via == "sms" and n.acknowledged_by == school.duty_name


def test_other_text_is_kept_but_confirms_nothing(client, published, yu_schools):
    school = yu_schools[2]
    answer = push(
        client, message(school.head_phone, "请问明天是否停课？", 55), message("+8613912345678", "1", 56)
    )
    assert answer.status_code == 200
    assert notice(school).acknowledged_at is None
    assert [(r.outcome, r.content) for r in kept()] == [("ignored", "请问明天是否停课？"), ("no_notice", "1")]


def test_a_repushed_message_is_taken_once(client, published, yu_schools):
    school = yu_schools[1]
    first = push(client, message(school.head_phone, "1", 900))
    again = push(client, message(school.head_phone, "1", 900), message(school.duty_phone, "1", 901))
    assert first.status_code == again.status_code == 200
    assert [(r.sequence_id, r.outcome) for r in kept()] == [("900", "acknowledged"), ("901", "already")]


def test_a_reply_after_the_notice_ended_confirms_nothing(client, published, yu_schools, sample_users):
    published.warning.status = "lifted"
    db.session.commit()
    push(client, message(yu_schools[0].head_phone, "1", 5))
    assert notice(yu_schools[0]).acknowledged_at is None and kept()[0].outcome == "no_notice"


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"not json", "not JSON"),
        (b'{"phone_number": "13903540001"}', "array"),
        (json.dumps([{"content": "1", "sequence_id": 1}]).encode(), "phone_number"),
        (json.dumps([{"phone_number": "13903540001", "content": "1"}]).encode(), "sequence_id"),
        (json.dumps([{"phone_number": "13903540001", "content": 1, "sequence_id": 1}]).encode(), "content"),
        (
            json.dumps(
                [{"phone_number": "13903540001", "content": "1", "sequence_id": 2, "send_time": "yesterday"}]
            ).encode(),
            "send_time",
        ),
    ],
)
def test_a_malformed_push_is_refused_whole(client, published, yu_schools, body, reason):
    good = json.dumps([message(yu_schools[0].head_phone, "1", 1)])[1:-1].encode()
    payload = body if not body.startswith(b"[") else b"[" + good + b"," + body[1:]
    answer = client.post(URL, data=payload, content_type="application/json")
    assert answer.status_code == 400 and reason in answer.get_json()["msg"]
    assert kept() == [] and notice(yu_schools[0]).acknowledged_at is None


def test_a_push_without_the_secret_is_refused(client, published, yu_schools):
    answer = push(client, message(yu_schools[0].head_phone, "1", 1), url="/callbacks/aliyun/uplink/guess")
    assert answer.status_code == 403 and kept() == []


def test_a_phone_replying_through_the_aliyun_standin(
    app, monkeypatch, live_server, aliyun_standin, published, yu_schools
):
    """End to end: the stand-in pushes the reply to the running platform, as Aliyun does."""
    aliyun_standin.faults.update(uplink_url=f"{live_server}{URL}")
    school = yu_schools[9]
    item = aliyun_standin.reply(school.duty_phone, "收到")
    assert item["phone_number"] == school.duty_phone[3:] and item["content"] == "收到"
    deadline = time.monotonic() + 10
    while notice(school).acknowledged_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert notice(school).acknowledged_via == "sms"
    [attempt] = [r for r in aliyun_standin.reports.all() if r.get("kind") == "uplink"]
    assert attempt["acknowledged"] and attempt["http_status"] == 200
    assert kept()[0].sequence_id == str(item["sequence_id"])
