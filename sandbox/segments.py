"""How many SMS parts a text takes, by the rules the carriers apply.

GSM-7 (160 characters, 153 per part when split) applies only when every character is in the GSM
03.38 alphabet; the extension characters take two septets. Anything else (all Chinese text) is
UCS-2: 70 code units, 67 per part. Both stand-ins compute num_segments / sms_size this way, so a
test can compare the product's own estimate with what the "provider" billed.
"""

from __future__ import annotations

from math import ceil

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def ucs2_units(text: str) -> int:
    """UTF-16 code units: characters outside the BMP (emoji) take two."""
    return len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    """Parts a text is split into (Twilio's num_segments)."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part = 160, 153
    else:
        units = ucs2_units(text)
        single, part = 70, 67
    if units <= single:
        return 1
    return ceil(units / part)


def domestic_sms_size(full_text: str) -> int:
    """Aliyun's sms_size: every character counts one (the 【signature】 included), 70 for one
    message, 67 per part beyond that, whatever the script."""
    length = len(full_text)
    return 1 if length <= 70 else ceil(length / 67)
