"""Phone numbers in one form: E.164, as both gateways and the routing rules expect."""

from __future__ import annotations

import phonenumbers

DOMESTIC_PREFIX = "+86"


class InvalidNumber(ValueError):
    pass


def normalise(raw: str, region: str = "CN") -> str:
    """'138 0000 0000', '+86-13800000000' or '0086…' → '+8613800000000'."""
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"not a valid number: {raw!r}")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidNumber(f"not a mobile number, SMS cannot reach it: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_domestic(e164: str) -> bool:
    return e164.startswith(DOMESTIC_PREFIX)


def mask(e164: str) -> str:
    """All but the last four digits hidden, for roles that need no more."""
    return "•" * max(len(e164) - 4, 0) + e164[-4:]
