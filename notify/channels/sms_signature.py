"""The signature a phone shows before an SMS, per route.

Chinese carriers accept only registered signatures, and the domestic gateway (Aliyun SendSms)
puts the registered one, SignName, in front of every message as 【SignName】 itself. Twilio
sends the text exactly as given, so on that route the signature has to be part of the text.
Message templates therefore render the text without a signature; what the phone shows is the
route's signature followed by the text, and that is what the segment counts count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Gateways that put the signature in front of the text themselves (from their SignName).
SIGNED_BY_GATEWAY = frozenset({"aliyun"})


@dataclass(frozen=True)
class Signatures:
    zh: str  # the registered signature (Aliyun's SignName), e.g. 盂县应急指挥部
    en: str  # the sender named in English texts sent through Twilio

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Signatures:
        return cls(zh=config["ALIYUN_SMS_SIGN_NAME"], en=config["SMS_SIGNATURE_EN"])

    def shown(self, gateway: str, locale: str) -> str:
        """The signature the phone shows in front of the text on this route."""
        if gateway in SIGNED_BY_GATEWAY or not locale.startswith("en"):
            return f"【{self.zh}】"
        return f"[{self.en}] "

    def phone_text(self, body: str, gateway: str, locale: str) -> str:
        """The whole message as the phone shows it."""
        return self.shown(gateway, locale) + self.unsigned(body)

    def outgoing(self, body: str, gateway: str, locale: str) -> str:
        """The text to hand the gateway: the signature only where the gateway does not add it."""
        if gateway in SIGNED_BY_GATEWAY:
            return self.unsigned(body)
        return self.phone_text(body, gateway, locale)

    def unsigned(self, body: str) -> str:
        """The text without a signature of ours in front: texts frozen or queued before the
        templates lost theirs would otherwise show it twice."""
        for signature in (f"【{self.zh}】", f"[{self.en}] ", f"[{self.en}]"):
            if body.startswith(signature):
                return body[len(signature) :]
        return body
