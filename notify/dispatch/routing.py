"""Which gateway a delivery goes to, and where SMS may fail over.

Chinese carriers accept only registered signatures and templates, so +86 numbers go through the
domestic gateway; Twilio serves the rest. Twilio can also reach +86 numbers, so it is the
domestic route's fallback; the domestic gateway cannot reach other countries, so Twilio's
traffic has no fallback.
"""

from __future__ import annotations

from sqlalchemy import case

from notify.channels.phone import DOMESTIC_PREFIX, is_domestic

DOMESTIC = "aliyun"
INTERNATIONAL = "twilio"
FALLBACK = {DOMESTIC: INTERNATIONAL}
SMS_ROUTES = (DOMESTIC, INTERNATIONAL)
# A robot's deliveries go to the gateway of its kind; partner webhooks to "webhook".
ROBOT_CHANNEL = "robot"
WEBHOOK = "webhook"
# Pull channels (LED screen feeds) are fetched by the screens' gateways: never claimed or sent.
PULL_CHANNELS = ("led",)


def gateway_for(address: str) -> str:
    return DOMESTIC if is_domestic(address) else INTERNATIONAL


def gateway_sql(address_column):
    """The same rule as gateway_for, as a SQL expression for set-based fan-out."""
    return case((address_column.like(DOMESTIC_PREFIX + "%"), DOMESTIC), else_=INTERNATIONAL)
