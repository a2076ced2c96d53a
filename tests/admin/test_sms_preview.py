"""The draft form's SMS preview: the texts the snapshot will freeze, with their length and
segments, and the audience's total segments; the revision page shows the same figures."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select

from notify.audience import audience_size
from notify.channels import sms_segments
from notify.dispatch.costs import audience_segments
from notify.extensions import db
from notify.models import AudienceGroup, AudienceRule, Revision, Warning
from tests.admin.test_console import _draft_form
from tests.conftest import fresh, login, take_to

URL = "/admin/kinds/heavy_pollution/sms-preview"


def test_preview_is_what_approval_freezes(client, sample_users, sample_recipients):
    form = _draft_form(response_start_at="2026-11-23T20:00", headline_en="Yu County issues a yellow warning")
    login(client, "office")
    preview = client.post(URL, data=form)
    assert preview.status_code == 200
    figures = preview.get_json()
    zh = figures["sms"]["zh"]
    # What the phone shows: the signature once (the domestic gateway adds it; the text has none).
    assert zh["text"].startswith("【盂县应急指挥部】盂县发布重污染天气黄色预警。")
    assert zh["text"].count("应急指挥部") == 1 and zh["text"] == "【盂县应急指挥部】" + zh["body"]
    assert "2026-11-23 20:00" in zh["text"] and "减少户外活动" in zh["text"]
    assert zh["encoding"] == "UCS-2" and zh["length"] == len(zh["text"])
    assert zh["segments"] == sms_segments.count(zh["text"]).segments
    en = figures["sms"]["en"]
    assert en["encoding"] == "GSM-7" and en["segments"] == 1
    assert (
        en["text"] == "[Yu County emergency command] " + en["body"] and "emergency command" not in en["body"]
    )
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Warning)) == 0  # a preview stores nothing

    # Saved, submitted and approved with the same fields, the snapshot holds the same texts.
    assert client.post("/admin/warnings/new/heavy_pollution", data=form).status_code == 302
    fresh()
    revision = db.session.scalar(select(Revision))
    assert figures["audience"]["size"] == audience_size(revision) == 316
    assert figures["audience"]["segments"] == audience_segments(
        revision, {"zh": zh["text"], "en": en["text"]}
    )
    take_to(revision, "approved", sample_users)
    frozen = revision.snapshot.content["texts"]["sms"]
    assert frozen == {"zh": zh["body"], "en": en["body"]}


def test_long_text_costs_more_segments_and_the_audience_multiplies(client, sample_users, sample_recipients):
    login(client, "office")
    short = client.post(URL, data=_draft_form()).get_json()
    long = client.post(
        URL,
        data=_draft_form(
            adv_health_zh="儿童、老年人和呼吸道、心脑血管疾病及其他慢性疾病患者尽量留在室内，避免户外活动；"
            "一般人群减少户外运动和室外作业时间。"
        ),
    ).get_json()
    assert short["sms"]["zh"]["segments"] < long["sms"]["zh"]["segments"]
    assert long["sms"]["zh"]["length"] > 70
    assert long["sms"]["zh"]["segments"] == -(-long["sms"]["zh"]["length"] // 67)
    # 313 Chinese numbers pay for the Chinese text, 3 abroad for the English one.
    assert (
        long["audience"]["segments"]
        == 313 * long["sms"]["zh"]["segments"] + 3 * long["sms"]["en"]["segments"]
    )


def test_the_chosen_level_picks_the_audience(client, sample_users, sample_recipients, sample_levels):
    red = sample_levels["red"]
    media = db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == "media"))
    # The media desks only at red.
    db.session.execute(
        delete(AudienceRule).where(AudienceRule.group_id == media.id, AudienceRule.kind_id == red.kind_id)
    )
    db.session.add(AudienceRule(kind_id=red.kind_id, level_id=red.id, group_id=media.id, channel="sms"))
    db.session.commit()
    login(client, "office")
    at_yellow = client.post(URL, data=_draft_form(level="yellow")).get_json()
    at_red = client.post(URL, data=_draft_form(level="red")).get_json()
    assert at_red["audience"]["size"] == at_yellow["audience"]["size"] + 6  # the six media desks


@pytest.mark.parametrize(
    "data, query, status",
    [
        ({"level": "purple"}, "", 400),
        ({}, "?action=explode", 400),
        ({}, "?warning_id=abc", 400),
        ({}, "?warning_id=99999", 404),
        ({}, "?revision_id=99999", 404),
        ({"aqi_min": "lots", "episode_start": "soon"}, "", 200),  # bad fields: a preview, not a refusal
    ],
)
def test_bad_requests_are_clear_4xx(data, query, status, client, sample_users):
    login(client, "office")
    assert client.post(URL + query, data=_draft_form(**data)).status_code == status
    assert client.post("/admin/kinds/volcano/sms-preview", data=_draft_form()).status_code == 404


@pytest.mark.parametrize("username", ["deputy", "publicity", "unit", "admin"])
def test_only_the_office_previews(username, client, sample_users):
    login(client, username)
    assert client.post(URL, data=_draft_form()).status_code == 403


def test_preview_needs_the_csrf_token(app, client, sample_users, monkeypatch):
    login(client, "office")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(URL, data=_draft_form()).status_code == 400


def test_preview_of_a_change_and_of_an_edit(client, sample_users, sample_recipients, sample_published):
    wid = sample_published.warning_id
    login(client, "office")
    upgrade = client.post(
        f"{URL}?action=upgrade&warning_id={wid}",
        data=_draft_form(level="orange", headline_zh="盂县升级为橙色预警"),
    )
    assert upgrade.status_code == 200 and "盂县升级为橙色预警" in upgrade.get_json()["sms"]["zh"]["text"]
    lift = client.post(f"{URL}?action=lift&warning_id={wid}", data=_draft_form())
    assert "解除" in lift.get_json()["sms"]["zh"]["text"]
    edit = client.post(f"{URL}?revision_id={sample_published.id}", data=_draft_form(headline_zh="改过的标题"))
    assert "改过的标题" in edit.get_json()["sms"]["zh"]["text"]


def test_revision_page_shows_segments_before_approval(client, sample_users, sample_recipients, sample_draft):
    take_to(sample_draft, "pending_approval", sample_users)
    login(client, "deputy")
    html = client.get(f"/admin/revisions/{sample_draft.id}").get_data(as_text=True)
    segments = int(re.search(r'data-audience-segments="(\d+)"', html).group(1))
    fresh()
    revision = db.session.get(Revision, sample_draft.id)
    text = re.search(r'data-sms="zh">.*?data-field="text">([^<]*)<', html, re.S).group(1)
    assert text.startswith("【盂县应急指挥部】")
    assert segments == audience_segments(
        revision,
        {
            "zh": text.replace("&amp;", "&"),
            "en": re.search(r'data-sms="en">.*?data-field="text">([^<]*)<', html, re.S).group(1),
        },
    )
    assert 'data-test="sms-preview"' in html and f'data-audience="{audience_size(revision)}"' in html


def test_the_signature_counts_once_per_route(client, sample_users, sample_recipients):
    """The text carries no signature; each route's phones show one, and it is counted once."""
    login(client, "office")
    headline = "重" * 20
    form = _draft_form(headline_zh=headline, headline_en="Yellow warning", adv_health_zh="")
    figures = client.post(URL, data=form).get_json()
    zh = figures["sms"]["zh"]
    assert zh["body"].startswith(headline) and "应急指挥部" not in zh["body"]
    for route in ("aliyun", "twilio"):
        shown = zh["routes"][route]
        assert shown["text"] == "【盂县应急指挥部】" + zh["body"]
        assert shown["length"] == len(zh["body"]) + 9
        assert shown["segments"] == sms_segments.count(shown["text"]).segments
    # English through the domestic gateway shows its Chinese signature, which makes it UCS-2.
    en = figures["sms"]["en"]
    assert en["routes"]["twilio"]["encoding"] == "GSM-7"
    assert en["routes"]["aliyun"]["text"] == "【盂县应急指挥部】" + en["body"]
    assert en["routes"]["aliyun"]["encoding"] == "UCS-2"


def test_audience_segments_count_each_route_signature(client, sample_users, sample_recipients):
    login(client, "office")
    # 70 characters without the signature: one part bare, two as the phone shows it.
    body_length = 70
    figures = client.post(URL, data=_draft_form(headline_zh="重" * 10, adv_health_zh="")).get_json()
    pad = body_length - len(figures["sms"]["zh"]["body"])
    figures = client.post(URL, data=_draft_form(headline_zh="重" * (10 + pad), adv_health_zh="")).get_json()
    zh = figures["sms"]["zh"]
    assert len(zh["body"]) == body_length and sms_segments.count(zh["body"]).segments == 1
    assert zh["segments"] == 2
    # 313 Chinese numbers pay for two parts each, 3 abroad for the English text.
    assert figures["audience"]["segments"] == 313 * 2 + 3 * figures["sms"]["en"]["segments"]
