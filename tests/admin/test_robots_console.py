"""The robot and partner-webhook registries in the console: secrets never shown back, every
change audited, bad input a 400 with nothing stored, robots in audience groups like recipients."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.extensions import db
from notify.models import AlertKind, AudienceGroup, AudienceRule, AuditEvent, PartnerWebhook, Recipient, Robot
from tests.conftest import fresh, login

DING_URL = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789tokenvalue"
DING_SECRET = "SECdeadbeefcafebabe0123456789"
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _group(code):
    return db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == code))


def _events(action):
    fresh()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _form(**overrides):
    data = {
        "kind": "dingtalk",
        "name": "秀水镇应急工作群",
        "webhook_url": DING_URL,
        "secret": DING_SECRET,
        "township": "0",
        "active": "y",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_robot_into_groups_and_its_secrets_are_not_shown_back(client, sample_users):
    townships, units = _group("townships"), _group("member_units")
    login(client, "admin")
    response = client.post(
        "/admin/robots/new", data={**_form(), "groups": [str(townships.id), str(units.id)]}
    )
    assert response.status_code == 302
    fresh()
    robot = db.session.scalar(select(Robot))
    assert (robot.kind, robot.webhook_url, robot.secret) == ("dingtalk", DING_URL, DING_SECRET)
    members = db.session.execute(select(Recipient.group_id, Recipient.channel, Recipient.address)).all()
    assert sorted(members) == sorted(
        [(townships.id, "robot", f"robot:{robot.id}"), (units.id, "robot", f"robot:{robot.id}")]
    )
    for page in ("/admin/robots", f"/admin/robots/{robot.id}/edit", f"/admin/audiences/{townships.id}"):
        html = client.get(page).get_data(as_text=True)
        assert "abcdef0123456789tokenvalue" not in html and DING_SECRET not in html
    assert f"robot:{robot.id}" in client.get(f"/admin/audiences/{townships.id}").get_data(as_text=True)
    [event] = _events("robot.create")
    assert DING_SECRET not in str(event.detail) and "tokenvalue" not in str(event.detail)
    assert event.detail["changed"]["secret"] == "changed"


def test_blank_secret_and_url_on_edit_keep_what_is_stored(client, sample_users):
    login(client, "admin")
    client.post("/admin/robots/new", data=_form())
    fresh()
    robot = db.session.scalar(select(Robot))
    response = client.post(
        f"/admin/robots/{robot.id}/edit", data=_form(name="改名", webhook_url="", secret="")
    )
    assert response.status_code == 302
    fresh()
    robot = db.session.get(Robot, robot.id)
    assert (robot.name, robot.webhook_url, robot.secret) == ("改名", DING_URL, DING_SECRET)
    assert _events("robot.update")[0].detail["changed"] == {"name": "改名"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"webhook_url": "ftp://example.com/robot/send?access_token=x"},
        {"webhook_url": "https://oapi.dingtalk.com/robot/send"},  # no access token
        {"kind": "wecom", "webhook_url": DING_URL, "secret": ""},  # another platform's address
        {"kind": "wecom", "webhook_url": WECOM_URL, "secret": "SECx"},  # WeCom has no secret
        {"webhook_url": ""},
        {"name": ""},
        {"township": "999999"},
        {"kind": "telegram"},
    ],
)
def test_bad_robot_input_is_a_400_and_stores_nothing(overrides, client, sample_users):
    login(client, "admin")
    response = client.post("/admin/robots/new", data=_form(**overrides))
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)
    fresh()
    assert db.session.scalar(select(func.count()).select_from(Robot)) == 0
    assert _events("robot.create") == []


def test_deactivating_a_robot_takes_it_out_of_every_audience(client, sample_users):
    login(client, "admin")
    client.post("/admin/robots/new", data={**_form(), "groups": [str(_group("townships").id)]})
    fresh()
    robot = db.session.scalar(select(Robot))
    assert client.post(f"/admin/robots/{robot.id}/active").status_code == 302
    fresh()
    assert db.session.get(Robot, robot.id).active is False
    assert db.session.scalars(select(Recipient.active)).all() == [False]
    assert _events("robot.active")[0].detail == {"active": False}


def test_office_reads_but_does_not_edit(client, sample_users):
    login(client, "office")
    assert client.get("/admin/robots").status_code == 200
    assert client.get("/admin/webhooks").status_code == 200
    assert client.post("/admin/robots/new", data=_form()).status_code == 403
    assert client.get("/admin/webhooks/new").status_code == 403
    login(client, "unit")
    assert client.get("/admin/robots").status_code == 403


def test_robot_rules_matrix_is_its_own_channel(client, sample_users):
    kind = db.session.scalar(select(AlertKind).where(AlertKind.code == "heavy_pollution"))
    red = next(lv for lv in kind.levels if lv.code == "red")
    townships = _group("townships")
    sms_rules = db.session.scalar(
        select(func.count()).select_from(AudienceRule).where(AudienceRule.channel == "sms")
    )
    login(client, "admin")
    page = client.get("/admin/audiences?channel=robot").get_data(as_text=True)
    assert "checked" not in page.split('id="rules-form"')[1]
    cell = f"rule-{kind.id}-{red.id}-{townships.id}"
    assert client.post("/admin/audiences/rules?channel=robot", data={cell: "y"}).status_code == 302
    fresh()
    rules = db.session.execute(
        select(AudienceRule.level_id, AudienceRule.group_id).where(AudienceRule.channel == "robot")
    ).all()
    assert rules == [(red.id, townships.id)]
    assert (
        db.session.scalar(select(func.count()).select_from(AudienceRule).where(AudienceRule.channel == "sms"))
        == sms_rules
    )
    assert _events("settings.audience_rules")[0].detail["channel"] == "robot"
    assert client.get("/admin/audiences?channel=fax").status_code == 400


def test_webhook_secret_is_generated_and_shown_once(client, sample_users):
    login(client, "admin")
    response = client.post(
        "/admin/webhooks/new",
        data={
            "name": "阳泉日报",
            "url": "https://partner.example.cn/hooks/yq",
            "send_json": "y",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    fresh()
    hook = db.session.scalar(select(PartnerWebhook))
    assert len(hook.secret) >= 32 and hook.secret in response.get_data(as_text=True)
    assert hook.secret not in client.get("/admin/webhooks").get_data(as_text=True)
    assert hook.secret not in client.get(f"/admin/webhooks/{hook.id}/edit").get_data(as_text=True)
    [event] = _events("webhook.create")
    assert hook.secret not in str(event.detail)
    assert client.post(f"/admin/webhooks/{hook.id}/active").status_code == 302
    fresh()
    assert db.session.get(PartnerWebhook, hook.id).active is False


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x", "url": "not a url", "send_json": "y"},
        {"name": "x", "url": "https://partner.example.cn/h"},  # no format
        {"name": "", "url": "https://partner.example.cn/h", "send_json": "y"},
        {"name": "x", "url": "https://partner.example.cn/h", "send_json": "y", "secret": "short"},
    ],
)
def test_bad_webhook_input_is_a_400(data, client, sample_users):
    login(client, "admin")
    assert client.post("/admin/webhooks/new", data=data).status_code == 400
    fresh()
    assert db.session.scalar(select(func.count()).select_from(PartnerWebhook)) == 0
