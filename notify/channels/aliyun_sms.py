"""SMS to mainland China numbers (+86) through Aliyun's dysms SendSms and SendBatchSms, with its
official SDK (`alibabacloud_dysmsapi20170525`, which signs each call with the AccessKey:
ACS3-HMAC-SHA256).

Configuration is plain parameters: AccessKey id and secret, endpoint (default the public
`dysmsapi.aliyuncs.com` over HTTPS; the demo and the tests give `http://127.0.0.1:5102`), the
registered signature name (签名) and the approved template code whose single variable is
`${content}`: each message's text goes in as TemplateParam {"content": body}.

Sending (numbers in national form, no +86; each number at most once per call, because a
receipt is matched on (biz_id, phone_number)):
- a body shared by two or more messages of the batch goes by SendSms, in calls of up to 1,000
  numbers; so does a lone message when it is the batch's only distinct body.
- bodies that occur once (e.g. every enterprise its own signed link) go by SendBatchSms, up to
  100 numbers a call, each with its own TemplateParam, once there are at least two of them:
  10,000 such messages become 100 calls instead of 10,000. Aliyun's documentation warns that
  batch delivery may be slightly delayed by its capacity and recommends SendSms for
  time-sensitive single messages, hence SendSms wherever one call can carry a shared text.
Both answer Code, Message and BizId alike. Every number of an accepted call gets Result
"accepted" with provider_id = the call's BizId. OutId is our delivery id when a SendSms call
carries one number, "b<first delivery id>" otherwise.
- isv.MOBILE_NUMBER_ILLEGAL fails the whole call for one bad number: the call is split in halves
  until the bad numbers stand alone (they end "permanent"), so the good ones still go.
- isv.BUSINESS_LIMIT_CONTROL / isv.DAY_LIMIT_CONTROL / Throttling.* → "transient".
- signature, AccessKey, sign-name and template errors → "permanent" with the code; `reason` says
  it is a configuration error, because every message will fail the same way until it is fixed.
- other isv.* codes → "permanent" with the code.
- transport failures, 5xx, and an account that cannot send at all (isv.AMOUNT_NOT_ENOUGH,
  isv.OUT_OF_SERVICE) → GatewayUnavailable, if no message of the batch got an answer yet; once
  some did, their results are kept and the rest come back "transient" (code "unreachable").
  Aliyun has no idempotency key: a retried call after a timeout may send twice.

Receipts: Aliyun's "HTTP batch push" of delivery receipts carries no signature of any kind (only
the console-configured URL). The platform therefore puts a shared secret in that URL as its last
path segment, `https://<platform>/callbacks/aliyun/receipts/<secret>` (see `receipt_url`), and
`receipt_is_authentic` compares the segment with the configured secret in constant time. Use a
long random secret, HTTPS, and keep the URL out of access logs.
"""

from __future__ import annotations

import hmac
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from alibabacloud_dysmsapi20170525 import models as dysms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from darabonba.exceptions import UnretryableException

from notify.channels.base import GatewayUnavailable, Message, Outcome, Result, StatusReport

MAX_NUMBERS_PER_CALL = 1000  # SendSms
MAX_NUMBERS_PER_BATCH_CALL = 100  # SendBatchSms
MAINLAND_MOBILE_E164 = re.compile(r"^\+86(1[3-9]\d{9})$")
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL_SAFE_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,}$")
# Aliyun pushes receipts and replies 100 at a time; ten times that is surely not Aliyun.
MAX_PUSH_ITEMS = 1000
MAX_PUSH_BYTES = 1024 * 1024

NUMBER_ILLEGAL = "isv.MOBILE_NUMBER_ILLEGAL"
THROTTLED = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
}
CONFIGURATION = {
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "Forbidden.RAM",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
}
ACCOUNT_CANNOT_SEND = {"isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE"}


class _Unreachable(Exception):
    def __init__(self, reason: str, code: str | None = None):
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class _Item:
    message: Message
    national_number: str


_Entry = tuple[int, _Item]  # an item and its position in the batch
_Answer = tuple[str, str, str | None]  # Code, Message, BizId
_Api = Callable[[list[_Item]], _Answer]  # one SendSms or SendBatchSms call


class AliyunGateway:
    name = "aliyun"
    max_batch = MAX_NUMBERS_PER_CALL

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        endpoint: str = "dysmsapi.aliyuncs.com",
        timeout: float = 10.0,
    ):
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        self.sign_name = sign_name
        self.template_code = template_code
        self._client = Client(
            Config(
                access_key_id=access_key_id,
                access_key_secret=access_key_secret,
                endpoint=parts.netloc,
                protocol=parts.scheme,
                # The SDK takes milliseconds; it retries nothing unless told to.
                connect_timeout=int(timeout * 1000),
                read_timeout=int(timeout * 1000),
            )
        )

    def send(self, messages: list[Message]) -> list[Result]:
        results: dict[int, Result] = {}  # by position in `messages`
        by_body: dict[str, list[_Entry]] = {}
        for position, message in enumerate(messages):
            match = MAINLAND_MOBILE_E164.match(message.address)
            if match is None:
                results[position] = Result(
                    message.delivery_id,
                    "permanent",
                    code=NUMBER_ILLEGAL,
                    reason="not a mainland China mobile number; not sent",
                )
                continue
            by_body.setdefault(message.body, []).append((position, _Item(message, match.group(1))))

        rejected_locally = len(results)
        try:
            for api, call in self._plan(by_body):
                self._send_call(api, call, results)
        except _Unreachable as exc:
            if len(results) == rejected_locally:  # Aliyun answered nothing of this batch
                raise GatewayUnavailable(f"Aliyun SMS unavailable: {exc}", code=exc.code) from exc
            for position, message in enumerate(messages):
                results.setdefault(
                    position,
                    Result(
                        message.delivery_id,
                        "transient",
                        code=exc.code or "unreachable",
                        reason=f"not sent: Aliyun SMS became unavailable during the batch ({exc})",
                    ),
                )
        return [results[position] for position in range(len(messages))]

    def _plan(self, by_body: dict[str, list[_Entry]]) -> list[tuple[_Api, list[_Entry]]]:
        """The calls that send the batch: SendSms for shared bodies (and for a lone body when it
        is the only one), SendBatchSms for the bodies that occur once."""
        singles = [entries[0] for entries in by_body.values() if len(entries) == 1]
        plan: list[tuple[_Api, list[_Entry]]] = [
            (self._send_sms, call)
            for entries in by_body.values()
            if len(entries) > 1 or len(singles) == 1
            for call in _calls(entries, MAX_NUMBERS_PER_CALL)
        ]
        if len(singles) > 1:
            plan += [(self._send_batch_sms, call) for call in _calls(singles, MAX_NUMBERS_PER_BATCH_CALL)]
        return plan

    def _send_call(self, api: _Api, call: list[_Entry], results: dict[int, Result]) -> None:
        """Make one call, bisecting on an illegal number; results go into `results`."""
        code, text, biz_id = api([item for _, item in call])
        if code == "OK":
            for position, item in call:
                results[position] = Result(item.message.delivery_id, "accepted", provider_id=biz_id)
            return
        if code == NUMBER_ILLEGAL and len(call) > 1:
            half = len(call) // 2
            self._send_call(api, call[:half], results)
            self._send_call(api, call[half:], results)
            return
        outcome, reason = _outcome(code, text)
        for position, item in call:
            results[position] = Result(item.message.delivery_id, outcome, code=code, reason=reason)

    def _send_sms(self, items: list[_Item]) -> _Answer:
        """One SendSms call: every item has the same body."""
        first = items[0].message.delivery_id
        request = dysms_models.SendSmsRequest(
            phone_numbers=",".join(item.national_number for item in items),
            sign_name=self.sign_name,
            template_code=self.template_code,
            template_param=json.dumps(_variables(items[0]), ensure_ascii=False),
            out_id=str(first) if len(items) == 1 else f"b{first}",
        )
        return _answer(lambda: self._client.send_sms(request))

    def _send_batch_sms(self, items: list[_Item]) -> _Answer:
        """One SendBatchSms call: each item its own body, in index-aligned JSON arrays."""
        request = dysms_models.SendBatchSmsRequest(
            phone_number_json=json.dumps([item.national_number for item in items]),
            sign_name_json=json.dumps([self.sign_name] * len(items), ensure_ascii=False),
            template_code=self.template_code,
            template_param_json=json.dumps([_variables(item) for item in items], ensure_ascii=False),
            out_id=f"b{items[0].message.delivery_id}",
        )
        return _answer(lambda: self._client.send_batch_sms(request))


def _variables(item: _Item) -> dict[str, str]:
    """The template's variables for one message: its whole text is the template's ${content}."""
    return {"content": item.message.body}


def _answer(
    invoke: Callable[[], dysms_models.SendSmsResponse | dysms_models.SendBatchSmsResponse],
) -> _Answer:
    """(Code, Message, BizId) of one call; raises _Unreachable when there is no answer."""
    try:
        response = invoke()
    except AlibabaCloudException as exc:
        code = exc.code or str(exc.status_code)
        if exc.status_code is not None and exc.status_code >= 500:
            raise _Unreachable(f"HTTP {exc.status_code} {code}", code=code) from exc
        return code, f"HTTP {exc.status_code}: {exc.message}", None
    except (UnretryableException, requests.RequestException) as exc:
        inner = getattr(exc, "inner_exception", None) or exc
        raise _Unreachable(f"{type(inner).__name__}: {inner}") from exc
    answer = response.body
    code = answer.code or ""
    if code in ACCOUNT_CANNOT_SEND:
        raise _Unreachable(f"{code}: {answer.message}", code=code)
    return code, answer.message or code, answer.biz_id


def _outcome(code: str, text: str) -> tuple[Outcome, str]:
    """What a refused call means for each of its messages, and why."""
    if code in THROTTLED:
        return "transient", f"throttled by Aliyun: {text}"
    if code in CONFIGURATION:
        return "permanent", f"configuration error (AccessKey, signature or template): {text}"
    return "permanent", text


def _calls(entries: list[_Entry], max_numbers: int) -> list[list[_Entry]]:
    """Split into calls of at most `max_numbers` numbers, each number at most once per call (a
    receipt is matched on biz_id + number, which must therefore be unique): the k-th message
    to a number goes in the k-th round, so repeats cost no more calls than needed."""
    rounds: list[list[_Entry]] = []
    seen: Counter[str] = Counter()
    for entry in entries:
        number = entry[1].national_number
        if seen[number] == len(rounds):
            rounds.append([])
        rounds[seen[number]].append(entry)
        seen[number] += 1
    return [one[start : start + max_numbers] for one in rounds for start in range(0, len(one), max_numbers)]


def receipt_url(base_url: str, shared_secret: str) -> str:
    """The receipt address to register in Aliyun's console: the receiving route's URL with the
    secret as its last path segment, e.g. https://…/callbacks/aliyun/receipts/<secret>.
    The secret must be URL-safe (secrets.token_urlsafe(32)): a "/" or "%" would not survive
    the web server's path decoding."""
    if not URL_SAFE_SECRET.match(shared_secret):
        raise ValueError("the receipt secret must be 16+ URL-safe characters (A-Z a-z 0-9 - _)")
    return f"{base_url.rstrip('/')}/{shared_secret}"


def receipt_is_authentic(token: str | None, shared_secret: str) -> bool:
    """True when the token taken from the receipt push's URL is the shared secret (compared in
    constant time). An empty configured secret authenticates nothing."""
    if not shared_secret or not token:
        return False
    return hmac.compare_digest(token.encode(), shared_secret.encode())


def parse_receipts(body: bytes) -> list[StatusReport]:
    """The StatusReports of one receipt push (a JSON array). Raises ValueError when the body or
    any receipt is malformed, so that nothing of a bad push is applied."""
    return [_parse_receipt(i, receipt) for i, receipt in enumerate(json_array(body, "receipt push"))]


class PushTooLarge(ValueError):
    """More items or bytes than Aliyun ever puts in one push: refused whole, unread (413)."""


def json_array(body: bytes, what: str) -> list:
    """Aliyun pushes (receipts, replies) are one JSON array of flat objects; ValueError says
    what is wrong, PushTooLarge when it is too big to be one.

    Bounded before anything is applied: ten thousand fake receipts in one push would hold the
    database's write lock long enough to stall dispatch, and a deeply nested body would exhaust
    the parser's recursion."""
    if len(body) > MAX_PUSH_BYTES:
        raise PushTooLarge(f"{what} is larger than {MAX_PUSH_BYTES} bytes")
    try:
        items = json.loads(body)
    except RecursionError as exc:
        raise ValueError(f"{what} is nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(items, list):
        raise ValueError(f"{what} is not a JSON array")
    if len(items) > MAX_PUSH_ITEMS:
        raise PushTooLarge(f"{what} has more than {MAX_PUSH_ITEMS} items")
    for index, item in enumerate(items):
        if isinstance(item, dict) and any(isinstance(v, (dict, list)) for v in item.values()):
            raise ValueError(f"{what}: item {index} nests objects or arrays in its fields")
    return items


def _parse_receipt(index: int, receipt: object) -> StatusReport:
    if not isinstance(receipt, dict):
        raise ValueError(f"receipt {index} is not an object")
    number = receipt.get("phone_number")
    biz_id = receipt.get("biz_id")
    success = receipt.get("success")
    if not isinstance(number, str) or not number.lstrip("+").isdigit():
        raise ValueError(f"receipt {index}: malformed phone_number")
    if not isinstance(biz_id, str) or not biz_id:
        raise ValueError(f"receipt {index}: missing biz_id")
    if not isinstance(success, bool):
        raise ValueError(f"receipt {index}: success must be true or false")
    err_code = receipt.get("err_code")
    if err_code is not None and not isinstance(err_code, str):
        raise ValueError(f"receipt {index}: malformed err_code")
    out_id = receipt.get("out_id")
    delivery_id = int(out_id) if isinstance(out_id, str) and out_id.isdigit() else None
    return StatusReport(
        status="delivered" if success else "undelivered",
        provider_id=biz_id,
        delivery_id=delivery_id,
        address=_e164(number),
        code=None if success else (err_code or None),
        reason="" if success else str(receipt.get("err_msg") or err_code or ""),
        at=_shanghai_time(receipt.get("report_time"), index),
        gateway=AliyunGateway.name,
    )


def _e164(number: str) -> str:
    if number.startswith("+"):
        return number
    if number.startswith("0086"):
        return "+" + number[2:]
    if len(number) == 11 and number.startswith("1"):
        return "+86" + number
    return "+" + number  # an international receipt carries the country code already


def _shanghai_time(value: object, index: int) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"receipt {index}: malformed report_time")
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError as exc:
        raise ValueError(f"receipt {index}: malformed report_time {value!r}") from exc
