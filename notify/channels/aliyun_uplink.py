"""Uplink SMS (上行短信, SmsUp): replies Aliyun pushes to us as a JSON array, one object per
message with phone_number, send_time, content, sign_name, dest_code and sequence_id, answered
with {"code":0}. Like the receipt push it carries no signature; the secret at the end of the
registered URL authenticates it (see aliyun_sms.receipt_is_authentic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from notify.channels.aliyun_sms import json_array

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_CONTENT = 1000


@dataclass(frozen=True)
class Uplink:
    phone: str  # E.164
    content: str
    sequence_id: str
    sign_name: str
    dest_code: str
    sent_at: datetime | None


def parse(body: bytes) -> list[Uplink]:
    """The messages of one push; ValueError (with the reason) when any is malformed, so that
    nothing of a bad push is applied."""
    return [_one(i, item) for i, item in enumerate(json_array(body, "uplink push"))]


def _one(index: int, item: object) -> Uplink:
    if not isinstance(item, dict):
        raise ValueError(f"message {index} is not an object")
    number = item.get("phone_number")
    if not isinstance(number, str) or not number.lstrip("+").isdigit() or not 6 <= len(number) <= 20:
        raise ValueError(f"message {index}: malformed phone_number")
    sequence = item.get("sequence_id")
    if isinstance(sequence, bool) or not isinstance(sequence, (int, str)) or not str(sequence).strip():
        raise ValueError(f"message {index}: missing sequence_id")
    content = item.get("content")
    if not isinstance(content, str):
        raise ValueError(f"message {index}: content must be text")
    if len(content) > MAX_CONTENT:
        raise ValueError(f"message {index}: content longer than {MAX_CONTENT} characters")
    for name in ("sign_name", "dest_code"):
        if item.get(name) is not None and not isinstance(item[name], str):
            raise ValueError(f"message {index}: malformed {name}")
    return Uplink(
        phone=_e164(number),
        content=content,
        sequence_id=str(sequence).strip()[:64],
        sign_name=(item.get("sign_name") or "")[:100],
        dest_code=(item.get("dest_code") or "")[:40],
        sent_at=_time(item.get("send_time"), index),
    )


def _e164(number: str) -> str:
    if number.startswith("+"):
        return number
    if number.startswith("0086"):
        return "+" + number[2:]
    if len(number) == 11 and number.startswith("1"):
        return "+86" + number
    return "+" + number


def _time(value: object, index: int) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"message {index}: malformed send_time")
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError as exc:
        raise ValueError(f"message {index}: malformed send_time {value!r}") from exc
