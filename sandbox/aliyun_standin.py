"""A stand-in of Aliyun's domestic SMS API (dysms, version 2017-05-25) for its official SDK.

The SDK (`alibabacloud_dysmsapi20170525` on `alibabacloud_tea_openapi`) sends SendSms as
`POST /?OutId=…&PhoneNumbers=…&SignName=…&TemplateCode=…&TemplateParam=…` with an empty body,
`x-acs-action: SendSms`, `x-acs-version: 2017-05-25` and a V3 signature:
`Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=…,Signature=<hex>`.
SendBatchSms (`x-acs-action: SendBatchSms`) carries OutId and TemplateCode in the query and the
index-aligned JSON arrays PhoneNumberJson, SignNameJson, TemplateParamJson (and optionally
SmsUpExtendCodeJson) in a form-encoded body, which x-acs-content-sha256 covers: up to 100
numbers, each with its own signature and template variables, so each its own text, under one
BizId. This stand-in recomputes that signature with the AccessKey secret it was configured with
and answers like the real service: gateway errors (signature, key, missing parameter) with HTTP
4xx, business errors (isv.*) with HTTP 200 and a Code other than "OK". Both actions go through
the same checks, fault switches and receipts; they differ only in how the call is read.

Accepted messages get delivery receipts pushed to the configured receipt URL (`receipt_url`
switch), as the console's "HTTP batch push" does: a JSON array, acknowledged by HTTP 200 with a
numeric `code` (the platform answers {"code":0}); an unacknowledged push is re-pushed after
`repush_delays_s` (real: 1, 5, 10 minutes), then given up. Aliyun signs nothing in these pushes.

A phone replying (上行短信, SmsUp) is simulated with `reply(number, content)` or
`POST /_sandbox/uplink {"phone_number": "138…", "content": "1"}`: the message is pushed to the
`uplink_url` switch the same way, as a JSON array of objects with phone_number, send_time,
content, sign_name, dest_code and sequence_id.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests
from flask import Flask, jsonify, request

from sandbox.faults import FaultSwitches, MessageLog, ReceivedMessage, ReportLog, control_blueprint
from sandbox.poster import DelayedPoster
from sandbox.segments import domestic_sms_size
from sandbox.server import BackgroundServer

API_VERSION = "2017-05-25"
# The same defaults as the platform's configuration (notify/config.py).
DEFAULT_ACCESS_KEYS = {"sandbox-key-id": "sandbox-key-secret"}
DEFAULT_SIGN_NAMES = ("盂县应急指挥部", "盂县人民政府", "盂县生态环境局")
DEFAULT_TEMPLATES = {"SMS_0000001": "${content}"}
MAX_NUMBERS = 1000  # SendSms
MAX_BATCH_NUMBERS = 100  # SendBatchSms
MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
SIGNED_HEADERS_REQUIRED = {
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
}
CLOCK_SKEW = timedelta(minutes=15)
SHANGHAI = ZoneInfo("Asia/Shanghai")
TEMPLATE_VARIABLE = re.compile(r"\$\{(\w+)\}")

BUSINESS_MESSAGES = {
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.MOBILE_COUNT_OVER_LIMIT": "手机号码数量超过限制",
    "isv.BUSINESS_LIMIT_CONTROL": "触发分钟级流控Permits:1",
    "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
    "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量缺少对应参数值",
    "isv.INVALID_JSON_PARAM": "JSON参数不合法，只接受字符串值",
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.OUT_OF_SERVICE": "业务停机",
    "isv.DAY_LIMIT_CONTROL": "触发日发送限额",
    "isv.INVALID_PARAMETERS": "参数异常",
}


def _now_shanghai() -> str:
    return datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _canonical_query(args) -> str:
    # Percent-encoding as the SDK signs it: RFC 3986, only "~" left as is, space as %20.
    pairs = sorted((quote(k, safe="~"), quote(v, safe="~")) for k, v in args.items(multi=True))
    return "&".join(f"{k}={v}" for k, v in pairs)


class _MissingParameter(Exception):
    """A mandatory parameter is absent: a gateway error (HTTP 400 Missing<Name>)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _Refused(Exception):
    """A business error (HTTP 200, Code other than "OK") refusing every message of the call;
    `call` is as much of the call as could be read, for the record of refused messages."""

    def __init__(self, code: str, call: _Call | None = None):
        super().__init__(code)
        self.code = code
        self.call = call


@dataclass(frozen=True)
class _Call:
    """One send request, whichever action carried it: message i goes to numbers[i], signed
    sign_names[i], with the template variables params[i] (parsed JSON, checked later)."""

    numbers: list[str]
    sign_names: list[str]
    template_code: str
    params: list[object]
    out_id: str | None


_MALFORMED = object()  # a TemplateParam that is not JSON: refused after the number checks


def _require(values: Mapping[str, str], names: tuple[str, ...]) -> None:
    for name in names:
        if not values.get(name):
            raise _MissingParameter(name)


def _read_send_sms(values: Mapping[str, str]) -> _Call:
    _require(values, ("PhoneNumbers", "SignName", "TemplateCode"))
    numbers = [n.strip() for n in values["PhoneNumbers"].split(",")]
    try:
        params = json.loads(values.get("TemplateParam") or "{}")
    except (json.JSONDecodeError, RecursionError):  # nested too deeply is just as malformed
        params = _MALFORMED
    return _Call(
        numbers,
        [values["SignName"]] * len(numbers),
        values["TemplateCode"],
        [params] * len(numbers),
        values.get("OutId"),
    )


def _read_send_batch_sms(values: Mapping[str, str]) -> _Call:
    _require(values, ("PhoneNumberJson", "SignNameJson", "TemplateCode"))
    template_code, out_id = values["TemplateCode"], values.get("OutId")
    numbers = _json_array(values["PhoneNumberJson"], strings=True)
    sign_names = _json_array(
        values["SignNameJson"], strings=True, partial=_Call(numbers, [], template_code, [], out_id)
    )
    partial = _Call(numbers, sign_names, template_code, [], out_id)
    raw_params = values.get("TemplateParamJson")
    params = [{}] * len(numbers) if raw_params is None else _json_array(raw_params, partial=partial)
    lengths = {len(numbers), len(sign_names), len(params)}
    if values.get("SmsUpExtendCodeJson") is not None:
        lengths.add(len(_json_array(values["SmsUpExtendCodeJson"], strings=True, partial=partial)))
    if not numbers or len(lengths) > 1:  # the arrays are index-aligned
        raise _Refused("isv.INVALID_PARAMETERS", partial)
    return _Call(numbers, sign_names, template_code, params, out_id)


def _json_array(raw: str, *, strings: bool = False, partial: _Call | None = None) -> list[Any]:
    try:
        items = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        items = None
    if not isinstance(items, list) or (strings and not all(isinstance(i, str) for i in items)):
        raise _Refused("isv.INVALID_JSON_PARAM", partial)
    return items


def _filled_template(template: str, params: object) -> str:
    """The template with its variables filled in; refuses variables that are not a JSON object
    of strings, or that lack one the template names."""
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise _Refused("isv.INVALID_JSON_PARAM")
    if any(name not in params for name in TEMPLATE_VARIABLE.findall(template)):
        raise _Refused("isv.TEMPLATE_MISSING_PARAMETERS")
    return TEMPLATE_VARIABLE.sub(lambda m: params[m.group(1)], template)


# action → (how its call is read, most numbers a call may carry)
ACTIONS: dict[str, tuple[Callable[[Mapping[str, str]], _Call], int]] = {
    "SendSms": (_read_send_sms, MAX_NUMBERS),
    "SendBatchSms": (_read_send_batch_sms, MAX_BATCH_NUMBERS),
}


class AliyunStandin:
    service = "aliyun"

    def __init__(
        self,
        access_keys: dict[str, str] | None = None,
        sign_names: tuple[str, ...] | list[str] = DEFAULT_SIGN_NAMES,
        templates: dict[str, str] | None = None,
        poster_workers: int = 4,
        **switches: Any,
    ):
        self.access_keys = dict(access_keys or DEFAULT_ACCESS_KEYS)
        self.sign_names = set(sign_names)
        self.templates = dict(templates or DEFAULT_TEMPLATES)
        self.faults = FaultSwitches(**switches)
        self.messages = MessageLog(self.faults)
        self.reports = ReportLog()
        self.poster = DelayedPoster(workers=poster_workers, name="aliyun-receipts")
        self._biz_counter = itertools.count(1)
        self._uplink_counter = itertools.count(int(time.time()) * 1000)
        self._nonces: dict[str, float] = {}
        self._nonce_lock = threading.Lock()
        self._pending_receipts: list[dict[str, Any]] = []
        self._pending_lock = threading.Lock()
        self._flush_scheduled = False
        self.app = self._build_app()
        self.server: BackgroundServer | None = None

    # --- running --------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> AliyunStandin:
        self.server = BackgroundServer(self.app, host, port).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None, "start() the stand-in first"
        return self.server.url

    @property
    def endpoint(self) -> str:
        """host:port, as the SDK's Config(endpoint=…) wants it (with protocol="http")."""
        assert self.server is not None, "start() the stand-in first"
        return f"{self.server.host}:{self.server.port}"

    def stop(self) -> None:
        self.faults.stopping.set()
        self.poster.stop()
        if self.server is not None:
            self.server.stop()

    def reset(self) -> None:
        self.poster.clear()
        with self._pending_lock:
            self._pending_receipts.clear()
            self._flush_scheduled = False
        self.faults.reset()
        self.messages.clear()
        self.reports.clear()

    # --- the API --------------------------------------------------------------------------
    def _build_app(self) -> Flask:
        app = Flask("aliyun_standin")
        app.json.ensure_ascii = False
        app.register_blueprint(control_blueprint(self))
        app.add_url_rule("/", "rpc", self._rpc, methods=["GET", "POST"])
        app.add_url_rule("/_sandbox/uplink", "uplink", self._uplink_route, methods=["POST"])
        return app

    # --- replies (上行短信) -------------------------------------------------------------------
    def reply(
        self, phone_number: str, content: str, *, dest_code: str = "", sign_name: str | None = None
    ) -> dict[str, Any]:
        """A phone sends `content` back to the service number: pushed to `uplink_url`."""
        url = self.faults.current.uplink_url
        if not url:
            raise ValueError("set the uplink_url switch first")
        number = phone_number.removeprefix("+86")
        if not MAINLAND_MOBILE.match(number):
            raise ValueError("a reply comes from a mainland China mobile number")
        if sign_name is None:  # the signature of the last message this phone got from us
            received = [m for m in self.messages.all(accepted=True, to=number)]
            sign_name = received[-1].sender if received else sorted(self.sign_names)[0]
        item = {
            "phone_number": number,
            "send_time": _now_shanghai(),
            "content": content,
            "sign_name": sign_name,
            "dest_code": dest_code,
            "sequence_id": next(self._uplink_counter),
        }
        self.poster.schedule(
            self.faults.current.report_delay_ms / 1000,
            lambda s: self._push(s, url, [item], attempt=0, kind="uplink"),
        )
        return item

    def _uplink_route(self):
        body = request.get_json(silent=True)
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("phone_number"), str)
            or not isinstance(body.get("content"), str)
        ):
            return jsonify(error='send {"phone_number": "138…", "content": "…"}'), 400
        try:
            item = self.reply(body["phone_number"], body["content"], dest_code=str(body.get("dest_code", "")))
        except ValueError as exc:
            return jsonify(error=str(exc)), 400
        return jsonify(item), 202

    @staticmethod
    def _answer(status: int, code: str, message: str, **extra: Any):
        body = {"RequestId": str(uuid.uuid4()).upper(), "Code": code, "Message": message, **extra}
        if status >= 400:
            body.update(
                HostId="dysmsapi.aliyuncs.com",
                Recommend=f"https://api.aliyun.com/troubleshoot?q={code}&product=Dysmsapi",
            )
        response = jsonify(body)
        response.status_code = status
        response.headers["Content-Type"] = "application/json;charset=utf-8"
        return response

    def _rpc(self):
        faults = self.faults
        faults.apply_latency()
        timed_out = faults.draw(faults.current.timeout_share)
        if timed_out:
            faults.hold_for_timeout()
            if not faults.current.timeout_accepts:
                return self._answer(504, "ServiceTimeout", "The request has timed out.")
        elif faults.draw(faults.current.error_5xx_share):
            return self._answer(
                503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."
            )
        refused = self._verify_signature()
        if refused is not None:
            return refused
        action = ACTIONS.get(request.headers.get("x-acs-action", ""))
        if action is None or request.headers.get("x-acs-version") != API_VERSION:
            return self._answer(
                404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        read, max_numbers = action
        call = None
        try:
            # RPC parameters may come in the query or the form body (SendBatchSms puts its
            # arrays there); the form is parsed from the body _verify_signature already read.
            call = read(request.values)
            return self._send(call, max_numbers, count_against_throttle=not timed_out)
        except _MissingParameter as exc:
            return self._answer(400, f"Missing{exc.name}", f"{exc.name} is mandatory for this action.")
        except _Refused as exc:
            self._record_refused(exc.call or call, exc.code)
            return self._answer(200, exc.code, BUSINESS_MESSAGES.get(exc.code, exc.code))

    def _verify_signature(self):
        header = request.headers.get("Authorization", "")
        match = re.fullmatch(
            r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})", header
        )
        if not match:
            return self._answer(
                400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
            )
        key_id, signed_headers, signature = match.groups()
        secret = self.access_keys.get(key_id)
        if secret is None:
            return self._answer(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        names = signed_headers.split(";")
        if not SIGNED_HEADERS_REQUIRED <= set(names) or names != sorted(names):
            return self._answer(
                400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
            )
        body = request.get_data()
        payload_hash = hashlib.sha256(body).hexdigest()
        if request.headers.get("x-acs-content-sha256") != payload_hash:
            return self._answer(
                400, "SignatureDoesNotMatch", "The payload hash does not match x-acs-content-sha256."
            )
        try:
            signed_at = datetime.strptime(request.headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
        except ValueError:
            return self._answer(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            )
        if abs(datetime.now(UTC) - signed_at) > CLOCK_SKEW:
            return self._answer(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )

        headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in names)
        canonical = "\n".join(
            [
                request.method,
                request.path or "/",
                _canonical_query(request.args),
                headers,
                signed_headers,
                payload_hash,
            ]
        )
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return self._answer(
                400,
                "SignatureDoesNotMatch",
                f"Specified signature does not match our calculation. "
                f"server string to sign is:{string_to_sign}",
            )
        # Only a correctly signed request uses up its nonce.
        nonce = request.headers["x-acs-signature-nonce"]
        now = time.time()
        with self._nonce_lock:
            if nonce in self._nonces:
                return self._answer(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self._nonces[nonce] = now
            if len(self._nonces) > 100_000:
                cutoff = now - CLOCK_SKEW.total_seconds()
                self._nonces = {n: t for n, t in self._nonces.items() if t > cutoff}
        return None

    def _send(self, call: _Call, max_numbers: int, count_against_throttle: bool):
        """Check and accept one call (raises _Refused); every message has its own text."""
        if len(call.numbers) > max_numbers:
            raise _Refused("isv.MOBILE_COUNT_OVER_LIMIT")
        if any(not MAINLAND_MOBILE.match(n) for n in call.numbers):
            raise _Refused("isv.MOBILE_NUMBER_ILLEGAL")
        if any(sign_name not in self.sign_names for sign_name in call.sign_names):
            raise _Refused("isv.SMS_SIGNATURE_ILLEGAL")
        template = self.templates.get(call.template_code)
        if template is None:
            raise _Refused("isv.SMS_TEMPLATE_ILLEGAL")
        # What the phone shows: the service puts the signature in front of the filled-in template.
        texts = [
            f"【{sign_name}】" + _filled_template(template, params)
            for sign_name, params in zip(call.sign_names, call.params, strict=True)
        ]
        if count_against_throttle and not self.faults.admit(len(call.numbers)):
            raise _Refused("isv.BUSINESS_LIMIT_CONTROL")
        # A per-number create-time error fails the whole call, as one bad number does for real.
        for number in call.numbers:
            rule = self.faults.number_error(number, "create")
            if rule and rule["code"] == "timeout":
                # Held like a timeout: lets a test time out one call of a batch.
                self.faults.hold_for_timeout()
                if not self.faults.current.timeout_accepts:
                    return self._answer(504, "ServiceTimeout", "The request has timed out.")
                break
            if rule:
                raise _Refused(str(rule["code"]))
        biz_id = f"{int(time.time() * 1000) % 10**12:012d}{next(self._biz_counter) % 10**6:06d}^0"
        self._accept(call, texts, biz_id)
        return self._answer(200, "OK", "OK", BizId=biz_id)

    def _record_refused(self, call: _Call | None, code: str) -> None:
        if call is None:  # not even the numbers could be read
            return
        now = time.time()
        for index, number in enumerate(call.numbers):
            sign_name = call.sign_names[index] if index < len(call.sign_names) else None
            self.messages.add(
                ReceivedMessage(
                    self.service,
                    None,
                    number,
                    "",
                    sign_name,
                    call.out_id,
                    None,
                    now,
                    accepted=False,
                    code=code,
                )
            )

    def _accept(self, call: _Call, texts: list[str], biz_id: str) -> None:
        now = time.time()
        send_time = _now_shanghai()
        receipts = []
        for number, sign_name, text in zip(call.numbers, call.sign_names, texts, strict=True):
            size = domestic_sms_size(text)
            self.messages.add(
                ReceivedMessage(
                    self.service,
                    biz_id,
                    number,
                    text,
                    sign_name,
                    call.out_id,
                    self.faults.current.receipt_url,
                    now,
                    accepted=True,
                    segments=size,
                )
            )
            rule = self.faults.number_error(number, "report")
            receipts.append(
                {
                    "phone_number": number,
                    "send_time": send_time,
                    "report_time": None,  # filled in when pushed
                    "success": rule is None,
                    "err_code": "DELIVERED" if rule is None else str(rule["code"]),
                    "err_msg": "用户接收成功" if rule is None else "用户接收失败",
                    "sms_size": str(size),
                    "biz_id": biz_id,
                    "out_id": call.out_id or "",
                }
            )
        if self.faults.current.reports_enabled and self.faults.current.receipt_url:
            self._enqueue_receipts(receipts)

    # --- receipt pushes -------------------------------------------------------------------
    def _enqueue_receipts(self, receipts: list[dict[str, Any]]) -> None:
        with self._pending_lock:
            self._pending_receipts.extend(receipts)
            if self._flush_scheduled:
                return
            self._flush_scheduled = True
        self.poster.schedule(self.faults.current.report_delay_ms / 1000, self._flush)

    def _flush(self, session: requests.Session) -> None:
        with self._pending_lock:
            pending, self._pending_receipts = self._pending_receipts, []
            self._flush_scheduled = False
        size = max(1, self.faults.current.receipt_batch_size)
        url = self.faults.current.receipt_url
        report_time = _now_shanghai()
        for start in range(0, len(pending), size):
            batch = pending[start : start + size]
            for receipt in batch:
                receipt["report_time"] = report_time
            self._push(session, url, batch, attempt=0)

    def _push(
        self,
        session: requests.Session,
        url: str,
        batch: list[dict[str, Any]],
        attempt: int,
        kind: str = "receipt",
    ) -> None:
        acknowledged, http_status, error = False, None, None
        try:
            answer = session.post(
                url,
                data=json.dumps(batch, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json;charset=utf-8"},
                timeout=self.faults.current.report_timeout_s,
            )
            http_status = answer.status_code
            acknowledged = http_status == 200 and _is_acknowledgement(answer.content)
        except requests.RequestException as exc:
            error = type(exc).__name__
        self.reports.add(
            service=self.service,
            url=url,
            attempt=attempt,
            count=len(batch),
            kind=kind,
            biz_ids=sorted({r["biz_id"] for r in batch if "biz_id" in r}),
            acknowledged=acknowledged,
            http_status=http_status,
            error=error,
        )
        delays = self.faults.current.repush_delays_s
        if not acknowledged and attempt < len(delays):
            self.poster.schedule(delays[attempt], lambda s: self._push(s, url, batch, attempt + 1, kind))


def _is_acknowledgement(content: bytes) -> bool:
    """The real service checks only that the answer's `code` is a number."""
    try:
        answer = json.loads(content)
    except ValueError:
        return False
    code = answer.get("code") if isinstance(answer, dict) else None
    return isinstance(code, (int, float)) and not isinstance(code, bool)
