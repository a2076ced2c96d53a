"""How many SMS parts a text costs.

Carriers bill per part. Pure GSM-7 text (here: printable ASCII, the only GSM-7 subset a Chinese
warning ever uses) holds 160 characters, or 153 per part when split; the characters ^{}\\[~]|
take two septets. Anything else is UCS-2: 70 characters, 67 per part. The signature counts
toward the length: callers count the text as the phone shows it, with the route's signature
(notify/channels/sms_signature.py). The console's draft form does the same count in JavaScript
(notify/static/sms_counter.js); both follow these rules.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_EXTENDED = set("^{}\\[~]|")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" | "UCS-2"
    length: int  # characters (GSM-7: septets)
    segments: int


def _is_gsm7_ascii(text: str) -> bool:
    return all(ch == "\n" or 32 <= ord(ch) < 127 for ch in text) and "`" not in text


def count(text: str, signature: str = "") -> SegmentCount:
    full = f"{signature}{text}"
    if _is_gsm7_ascii(full):
        length = sum(2 if ch in GSM7_EXTENDED else 1 for ch in full)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        # UTF-16 code units: a character outside the BMP (an emoji) takes two.
        length = len(full.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    if length == 0:
        return SegmentCount(encoding, 0, 0)
    segments = 1 if length <= single else -(-length // part)
    return SegmentCount(encoding, length, segments)
