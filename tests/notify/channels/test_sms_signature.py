"""The signature a phone shows, per route: the domestic gateway adds its SignName itself, Twilio
sends what it is given."""

from __future__ import annotations

import pytest

from notify.channels import sms_segments
from notify.channels.sms_signature import Signatures

SIGNATURES = Signatures(zh="盂县应急指挥部", en="Yu County emergency command")


@pytest.mark.parametrize(
    "gateway, locale, sent, shown",
    [
        # Aliyun puts 【SignName】 in front of whatever it is given, in any language.
        ("aliyun", "zh", "重污染预警", "【盂县应急指挥部】重污染预警"),
        ("aliyun", "en", "Air alert", "【盂县应急指挥部】Air alert"),
        # Twilio sends the text as given: the signature is written into it, in its language.
        ("twilio", "zh", "【盂县应急指挥部】重污染预警", "【盂县应急指挥部】重污染预警"),
        (
            "twilio",
            "en",
            "[Yu County emergency command] Air alert",
            "[Yu County emergency command] Air alert",
        ),
        (
            "twilio",
            "en_GB",
            "[Yu County emergency command] Air alert",
            "[Yu County emergency command] Air alert",
        ),
    ],
)
def test_each_route_shows_the_signature_once(gateway, locale, sent, shown):
    body = "重污染预警" if locale == "zh" else "Air alert"
    assert SIGNATURES.outgoing(body, gateway, locale) == sent
    assert SIGNATURES.phone_text(body, gateway, locale) == shown


@pytest.mark.parametrize(
    "body",
    [
        "【盂县应急指挥部】重污染预警",  # frozen or queued before the templates lost their signature
        "[Yu County emergency command] 重污染预警",
    ],
)
def test_a_text_that_still_carries_a_signature_is_not_signed_twice(body):
    assert SIGNATURES.outgoing(body, "aliyun", "zh") == "重污染预警"
    assert SIGNATURES.outgoing(body, "twilio", "zh") == "【盂县应急指挥部】重污染预警"
    # Another sender's brackets are text, not our signature.
    assert SIGNATURES.unsigned("【演练】重污染预警") == "【演练】重污染预警"


def test_the_signature_counts_toward_the_parts():
    body = "重" * 65  # one part as typed; with the nine characters of 【盂县应急指挥部】, 74: two
    assert sms_segments.count(body).segments == 1
    for gateway in ("aliyun", "twilio"):
        shown = sms_segments.count(SIGNATURES.phone_text(body, gateway, "zh"))
        assert (shown.length, shown.segments) == (74, 2)
    # English through the domestic gateway: the Chinese signature makes the text UCS-2.
    english = "a" * 60
    assert sms_segments.count(SIGNATURES.phone_text(english, "twilio", "en")).encoding == "GSM-7"
    assert sms_segments.count(SIGNATURES.phone_text(english, "aliyun", "en")).encoding == "UCS-2"


def test_from_config_reads_the_registered_signature(app):
    signatures = Signatures.from_config(app.config)
    assert signatures == Signatures(zh=app.config["ALIYUN_SMS_SIGN_NAME"], en=app.config["SMS_SIGNATURE_EN"])
