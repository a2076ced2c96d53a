"""Outside the demo and the tests, the app does not start with a missing or public secret, and
the demo's predictable data goes only into a demo's database (issue 13, items 5 and 6)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from notify import config, create_app, settings_check
from notify.channels.twilio_sms import status_callback_is_authentic
from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.extensions import db
from notify.models import ApiToken, Jurisdiction, Screen

SECRETS = (
    "SECRET_KEY",
    "TIPOFF_ENCRYPTION_KEY",
    "TWILIO_AUTH_TOKEN",
    "ALIYUN_ACCESS_KEY_SECRET",
    "ALIYUN_RECEIPT_TOKEN",
    "ALIYUN_UPLINK_TOKEN",
)
GOOD = {
    "SECRET_KEY": "k" * 64,
    "TIPOFF_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"p" * 32).decode(),
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "a-real-twilio-auth-token",
    "ALIYUN_ACCESS_KEY_ID": "LTAI-real",
    "ALIYUN_ACCESS_KEY_SECRET": "a-real-access-key-secret",
    "ALIYUN_RECEIPT_TOKEN": "Receipt_Token-0123456789",
    "ALIYUN_UPLINK_TOKEN": "Uplink_Token-0123456789ab",
}


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFY_ENV", "production")
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}


def test_production_refuses_to_start_naming_every_missing_secret(production_env):
    with pytest.raises(config.SettingsError) as refused:
        create_app(production_env)
    message = str(refused.value)
    for name in SECRETS:
        assert name in message
    assert "NOTIFY_ENV=demo" in message


def test_the_public_sandbox_values_are_refused_even_when_set(production_env, monkeypatch):
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "sandbox-twilio-token")
    monkeypatch.setenv("ALIYUN_RECEIPT_TOKEN", "sandbox-receipt-token")
    with pytest.raises(config.SettingsError) as refused:
        create_app(production_env)
    message = str(refused.value)
    assert "TWILIO_AUTH_TOKEN" in message and "ALIYUN_RECEIPT_TOKEN" in message
    assert "SECRET_KEY" not in message and "ALIYUN_UPLINK_TOKEN" not in message


def test_a_complete_production_configuration_passes():
    assert settings_check.problems(GOOD) == []
    # A gateway switched off needs no secrets of its own.
    alone = {"SECRET_KEY": GOOD["SECRET_KEY"], "TIPOFF_ENCRYPTION_KEY": GOOD["TIPOFF_ENCRYPTION_KEY"]}
    assert settings_check.problems({**alone, "TWILIO_ACCOUNT_SID": "", "ALIYUN_ACCESS_KEY_ID": ""}) == []
    assert settings_check.problems({**GOOD, "ALIYUN_UPLINK_TOKEN": "short/path"}) == [
        "ALIYUN_UPLINK_TOKEN: must be 16+ characters of A-Z a-z 0-9 - _"
    ]
    assert settings_check.problems({**GOOD, "TIPOFF_ENCRYPTION_KEY": "not-a-key"}) == [
        "TIPOFF_ENCRYPTION_KEY: not a Fernet key (32 bytes, URL-safe base64)"
    ]


def test_generated_key_files_serve_the_demo_only(tmp_path, monkeypatch):
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "secret_key").write_text("left-behind-by-a-demo-run-0123456789")
    (tmp_path / "tipoff_key").write_text(GOOD["TIPOFF_ENCRYPTION_KEY"])
    production = config.load(str(tmp_path), "production")
    assert production["SECRET_KEY"] == "" and production["TIPOFF_ENCRYPTION_KEY"] == ""
    demo = config.load(str(tmp_path), "demo")
    assert demo["SECRET_KEY"] == "left-behind-by-a-demo-run-0123456789"
    assert demo["TIPOFF_ENCRYPTION_KEY"] == GOOD["TIPOFF_ENCRYPTION_KEY"]
    assert not (tmp_path / "test").exists()
    test = config.load(str(tmp_path / "test"), "test")
    assert test["SECRET_KEY"] and not (tmp_path / "test").exists()  # nothing written
    with pytest.raises(config.SettingsError):
        config.mode("prod")


def test_an_empty_twilio_token_authenticates_nothing():
    from twilio.request_validator import RequestValidator

    url, params = "https://example.org/callbacks/twilio/status", {"MessageStatus": "delivered"}
    forged = RequestValidator("").compute_signature(url, params)
    assert not status_callback_is_authentic(url, params, forged, "")


def test_seed_demo_refuses_a_database_that_is_not_a_demos(app):
    load_jurisdiction(read(DATA_DIR / "wuan.json"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "not a demo's" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Jurisdiction)) == 1
    assert db.session.scalar(select(func.count()).select_from(Screen)) == 0
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_seed_demo_marks_its_database_and_runs_only_in_the_demo_mode(app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_ENV", "production")
    refused = app.test_cli_runner().invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "NOTIFY_ENV=demo" in refused.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Jurisdiction)) == 0
    monkeypatch.setitem(app.config, "NOTIFY_ENV", "demo")
    first = app.test_cli_runner().invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "loaded" in first.output
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "already present" in again.output
