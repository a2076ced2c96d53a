"""HJ 212-2017 packets from the power-usage collectors: parse, build, and split a TCP stream.

A packet (HJ 212-2017 §6.3) is `##`, the data segment's length in 4 decimal digits, the data
segment `QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;CP=&&…&&`, the segment's CRC in 4 hex digits and CRLF;
the segment is at most 1024 bytes. The CRC is the standard's own (Appendix A) over the segment
only. Inside CP, `;` separates items and `,` the values of one item; `polId-field=value` is a
value of a monitored item (`a21005-Rtd=1.1,a21005-Flag=N`), other keys are plain parameters.

Conventions chosen where the sources disagree or are silent (named constants below):
- The standard counts the length in ASCII characters; collectors that send Chinese text send
  GBK. The length and CRC therefore count bytes, the segment is decoded as GBK (an ASCII
  superset), and control characters are refused.
- Flag: bit 0 (A) asks for an answer, bit 1 (D) marks a split packet, bits 2-7 are the version:
  0 = HJ/T 212-2005, 1 = HJ 212-2017 (Flag=4, or 5 with A). PNUM and PNO are read when present
  but not required with D, as the standard's own Appendix C upload has Flag=7 and neither. QN and
  Flag may be absent, as from HJ/T 212-2005 collectors; unknown header keys are ignored.
- Widths from the 2017 field table: QN 17 digits (yyyyMMddHHmmssZZZ), ST ≤ 5 and CN ≤ 7
  digits, PW ≤ 9 characters; MN ≤ 24, its coding rule (the table's column allows 27).
  DataTime is yyyyMMddHHmmss, or with milliseconds as some HJ/T 212-2005 collectors send it.
- The power-usage extension (vendor documents for 用电量监控 over HJ 212): 9021 login,
  9015 heartbeat (older vendors use 9021 for it too), 2011 real-time data. Answers follow the
  standard: ST=91, the request's QN, PW and MN echoed, Flag = its version without A.
- Per-meter readings have no authoritative definition: `<meterId>-<field>` with METER_FIELDS
  (Ia current in A, Ua voltage in V, P active power in kW, Ep energy in kWh) and `-Flag`.
- Uploads default to ST=31 (大气环境污染源); the builders never split a packet.
- QN and DataTime are the collector's local time, China Standard Time (Asia/Shanghai).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import IntEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENCODING = "gbk"
MAX_SEGMENT = 1024
OVERHEAD = 12  # "##", 4 length digits, 4 CRC digits, CRLF
MAX_PACKET = MAX_SEGMENT + OVERHEAD
MAX_ST, MAX_CN, MAX_PW, MAX_MN = 5, 7, 9, 24

ST_SYSTEM = "91"  # system interaction: every answer
ST_AIR_SOURCE = "31"
CN_REALTIME = "2011"
CN_REQUEST_ANSWER = "9011"
CN_EXECUTION_RESULT = "9012"
CN_NOTICE_ANSWER = "9013"
CN_DATA_ANSWER = "9014"
CN_HEARTBEAT = "9015"
CN_LOGIN = "9021"

FLAG_ANSWER = 0b01
FLAG_SPLIT = 0b10
VERSION_2005, VERSION_2017 = 0, 1
METER_FIELDS = {"current": "Ia", "voltage": "Ua", "power": "P", "energy": "Ep"}

_LENGTH = re.compile(rb"[0-9]{4}")
_CRC = re.compile(rb"[0-9A-Fa-f]{4}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY = re.compile(r"[A-Za-z0-9_.-]+")
_NAME = re.compile(r"[A-Za-z0-9_.]+")
_SEPARATORS = re.compile(r"[;,&=\x00-\x1f\x7f]")


class QnRtn(IntEnum):
    """The 9011 answer's verdict on a request (HJ 212-2017 request answer codes)."""

    READY = 1
    REFUSED = 2
    BAD_PW = 3
    BAD_MN = 4
    BAD_ST = 5
    BAD_FLAG = 6
    BAD_QN = 7
    BAD_CN = 8
    BAD_CRC = 9
    UNKNOWN = 100


_FIELD_RTN = {"PW": QnRtn.BAD_PW, "MN": QnRtn.BAD_MN, "ST": QnRtn.BAD_ST, "Flag": QnRtn.BAD_FLAG}
_FIELD_RTN |= {"QN": QnRtn.BAD_QN, "CN": QnRtn.BAD_CN}


class PacketError(ValueError):
    """A refused packet; `code` is framing, length, too_long, crc, encoding or field."""

    def __init__(self, code: str, reason: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.field = field

    @property
    def qn_rtn(self) -> QnRtn:
        """The refusal a 9011 answer gives for this error."""
        if self.code == "crc":
            return QnRtn.BAD_CRC
        return _FIELD_RTN.get(self.field or "", QnRtn.UNKNOWN)


@dataclass(frozen=True)
class CommandParams:
    """CP: DataTime, the plain key=values (QnRtn, RtdInterval…) and polId → field → value."""

    data_time: datetime | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    readings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Packet:
    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int
    cp: CommandParams
    pnum: int | None = None
    pno: int | None = None

    @property
    def wants_answer(self) -> bool:
        return bool(self.flag & FLAG_ANSWER)

    @property
    def is_split(self) -> bool:
        return bool(self.flag & FLAG_SPLIT)

    @property
    def version(self) -> int:
        return self.flag >> 2

    @property
    def sent_at(self) -> datetime | None:
        return None if self.qn is None else _clock_time(self.qn, "QN")


def crc16(data: bytes) -> int:
    """HJ 212-2017 Appendix A. Unlike CRC-16/MODBUS, the register is shifted right by 8 before
    each byte is XORed in, so the two give different checksums for the same bytes."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def frame(segment: str) -> bytes:
    """The whole packet around a data segment: ##, length, segment, CRC, CRLF."""
    try:
        data = segment.encode(ENCODING)
    except UnicodeEncodeError:
        raise PacketError("encoding", "the segment has a character GBK lacks") from None
    if len(data) > MAX_SEGMENT:
        raise PacketError("too_long", f"the segment has {len(data)} bytes, over {MAX_SEGMENT}")
    return b"##%04d%s%04X\r\n" % (len(data), data, crc16(data))


def parse(packet: bytes) -> Packet:
    """The packet's fields; PacketError for anything else whatsoever, and nothing else."""
    return _fields(_decode(_unframe(packet)))


def _unframe(packet: bytes) -> bytes:
    if not isinstance(packet, bytes | bytearray):
        raise PacketError("framing", "a packet is bytes")
    if len(packet) < OVERHEAD or packet[:2] != b"##" or packet[-2:] != b"\r\n":
        raise PacketError("framing", "a packet is ##, length, segment, CRC and CRLF")
    if not _LENGTH.fullmatch(packet[2:6]):
        raise PacketError("length", "the length is not 4 decimal digits")
    declared, segment = int(packet[2:6]), bytes(packet[6:-6])
    if max(declared, len(segment)) > MAX_SEGMENT:
        raise PacketError("too_long", f"the data segment is over {MAX_SEGMENT} bytes")
    if declared != len(segment):
        raise PacketError("length", f"the length says {declared} bytes, the segment has {len(segment)}")
    if not _CRC.fullmatch(packet[-6:-2]) or int(packet[-6:-2], 16) != crc16(segment):
        raise PacketError("crc", f"the CRC is not {crc16(segment):04X}")
    return segment


def _decode(segment: bytes) -> str:
    try:
        text = segment.decode(ENCODING)
    except UnicodeDecodeError:
        raise PacketError("encoding", "the data segment is not GBK text") from None
    if _CONTROL.search(text):
        raise PacketError("encoding", "a control character in the data segment")
    return text


def _fields(text: str) -> Packet:
    head, found, rest = text.partition("CP=&&")
    if not found or (head and not head.endswith(";")) or not rest.endswith("&&") or "&&" in rest[:-2]:
        raise PacketError("field", "the data segment does not end in CP=&&…&&", "CP")
    header = _pairs(head[:-1].split(";") if head else [])
    qn = header.get("QN")
    if qn is not None:
        _clock_time(qn, "QN")
    flag = int(_field(header, "Flag", r"[0-9]{1,3}", default="0"))
    if flag > 255:
        raise PacketError("field", "Flag is over 255", "Flag")
    # Not required with D set: the standard's own Appendix C upload has Flag=7 and no PNUM/PNO.
    pnum, pno = (_count(header, key) for key in ("PNUM", "PNO"))
    return Packet(
        qn=qn,
        st=_field(header, "ST", rf"[0-9]{{1,{MAX_ST}}}"),
        cn=_field(header, "CN", rf"[0-9]{{1,{MAX_CN}}}"),
        pw=_field(header, "PW", rf"[!-~]{{0,{MAX_PW}}}"),
        mn=_field(header, "MN", rf"[!-~]{{1,{MAX_MN}}}"),
        flag=flag,
        cp=_params(rest[:-2]),
        pnum=pnum,
        pno=pno,
    )


def _pairs(items: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise PacketError("field", f"{item[:40]!r} is not key=value")
        if key in pairs:
            raise PacketError("field", f"{key} is given twice", key)
        pairs[key] = value
    return pairs


def _field(header: Mapping[str, str], key: str, pattern: str, default: str | None = None) -> str:
    value = header.get(key, default)
    if value is None:
        raise PacketError("field", f"{key} is missing", key)
    if not re.fullmatch(pattern, value):
        raise PacketError("field", f"{key}={value[:40]!r} is malformed", key)
    return value


def _count(header: Mapping[str, str], key: str) -> int | None:
    return int(_field(header, key, r"[0-9]{1,4}")) if key in header else None


def _params(cp: str) -> CommandParams:
    values: dict[str, str] = {}
    readings: dict[str, dict[str, str]] = {}
    for group in filter(None, cp.split(";")):  # the standard's own example ends in ";&&"
        for item in group.split(","):
            key, equals, value = item.partition("=")
            pol_id, dash, name = key.rpartition("-")
            if not equals or not _KEY.fullmatch(key) or (dash and not (pol_id and name)):
                raise PacketError("field", f"{item[:40]!r} in CP is not key=value", "CP")
            target = readings.setdefault(pol_id, {}) if dash else values
            if name in target:
                raise PacketError("field", f"{key} is given twice in CP", "CP")
            target[name] = value
    data_time = values.pop("DataTime", None)
    return CommandParams(
        data_time=None if data_time is None else _clock_time(data_time, "DataTime", (14, 17)),
        values=values,
        readings=readings,
    )


def _clock_time(text: str, name: str, lengths: tuple[int, ...] = (17,)) -> datetime:
    """yyyyMMddHHmmss, and ZZZ milliseconds when 17 digits, in China Standard Time."""
    if len(text) not in lengths or not (text.isascii() and text.isdigit()):
        raise PacketError("field", f"{name} is not {' or '.join(map(str, lengths))} digits", name)
    year, month, day, hour, minute, second = (int(text[i:j]) for i, j in pairwise((0, 4, 6, 8, 10, 12, 14)))
    try:
        return datetime(year, month, day, hour, minute, second, int(text[14:] or 0) * 1000, SHANGHAI)
    except ValueError:
        raise PacketError("field", f"{name} is not a valid time", name) from None


def qn_for(at: datetime) -> str:
    """The QN of a packet sent at `at`: local time to the millisecond."""
    if at.tzinfo is None:
        raise ValueError("a packet's time must be timezone-aware")
    t = at.astimezone(SHANGHAI)
    return f"{t.year:04}{t:%m%d%H%M%S}{t.microsecond // 1000:03}"


def data_answer(request: Packet, now: datetime | None = None) -> bytes:
    """CN 9014, answering a packet whose Flag asks for one. `now` gives the answer a QN of its
    own only when the request had none (HJ/T 212-2005 collectors)."""
    return _answer(request, CN_DATA_ANSWER, "", now)


def request_answer(request: Packet, qn_rtn: QnRtn = QnRtn.READY, now: datetime | None = None) -> bytes:
    """CN 9011: ready to execute the request, or why it is refused."""
    return _answer(request, CN_REQUEST_ANSWER, f"QnRtn={int(qn_rtn)}", now)


def _answer(request: Packet, cn: str, cp: str, now: datetime | None) -> bytes:
    qn = request.qn or (qn_for(now) if now else None)
    return _build(qn, ST_SYSTEM, cn, request.pw, request.mn, request.version << 2, cp)


def upload(
    *,
    mn: str,
    pw: str,
    sent_at: datetime,
    data_time: datetime,
    readings: Mapping[str, Mapping[str, str | int | float | Decimal]],
    st: str = ST_AIR_SOURCE,
    wants_answer: bool = True,
) -> bytes:
    """CN 2011 real-time data: one `meter-field=value` group per meter (METER_FIELDS, Flag)."""
    groups = [f"DataTime={qn_for(data_time)[:14]}"]
    for meter, values in readings.items():
        if values:
            groups.append(",".join(_reading(meter, name, value) for name, value in values.items()))
    flag = _collector_flag(wants_answer)
    return _build(qn_for(sent_at), st, CN_REALTIME, pw, mn, flag, ";".join(groups))


def login(*, mn: str, pw: str, sent_at: datetime, wants_answer: bool = True) -> bytes:
    return _build(qn_for(sent_at), ST_SYSTEM, CN_LOGIN, pw, mn, _collector_flag(wants_answer), "")


def heartbeat(*, mn: str, pw: str, sent_at: datetime, wants_answer: bool = True) -> bytes:
    return _build(qn_for(sent_at), ST_SYSTEM, CN_HEARTBEAT, pw, mn, _collector_flag(wants_answer), "")


def _collector_flag(wants_answer: bool) -> int:
    return VERSION_2017 << 2 | (FLAG_ANSWER if wants_answer else 0)


def _reading(meter: str, name: str, value: str | int | float | Decimal) -> str:
    if isinstance(value, float):  # the shortest repr, so that 0.1 stays "0.1"
        value = Decimal(repr(value))
    # Fixed-point: HJ 212 numbers have no exponent ("1E+20" is written out in full).
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    finite = not isinstance(value, Decimal) or value.is_finite()
    if not (finite and _KEY.fullmatch(meter) and _NAME.fullmatch(name)) or _SEPARATORS.search(text):
        raise ValueError(f"{meter}-{name}={text!r} cannot be written in CP")
    return f"{meter}-{name}={text}"


def _build(qn: str | None, st: str, cn: str, pw: str, mn: str, flag: int, cp: str) -> bytes:
    head = f"QN={qn};" if qn else ""
    packet = frame(f"{head}ST={st};CN={cn};PW={pw};MN={mn};Flag={flag};CP=&&{cp}&&")
    parse(packet)  # a malformed MN, PW or ST is refused here rather than by the other end
    return packet


class Splitter:
    """Packets out of a TCP byte stream, whatever the boundaries of its reads.

    Bytes before `##` are dropped as they come and a candidate is held only until its declared
    length has arrived, so the buffer stays under MAX_PACKET bytes (plus the read being fed).
    A bad length field, a length over 1024, or a CRLF missing where the length says the packet
    ends is reported and skipped a byte at a time up to the next `##`. CRC and fields are
    parse()'s business. Decisions depend on the bytes only, never on how they were chunked.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes | PacketError]:
        self._buffer += data
        found: list[bytes | PacketError] = []
        while (item := self._next()) is not None:
            found.append(item)
        return found

    @property
    def pending(self) -> int:
        """Bytes held for a packet not yet complete."""
        return len(self._buffer)

    def _next(self) -> bytes | PacketError | None:
        buffer = self._buffer
        start = buffer.find(b"##")
        if start < 0:  # keep a last "#": it may be the first half of the next header
            del buffer[: len(buffer) - buffer.endswith(b"#")]
            return None
        while buffer[start + 2 : start + 3] == b"#":  # in "###0101…" the header is the last two
            start += 1
        del buffer[:start]
        if len(buffer) < 6:
            return None
        declared = bytes(buffer[2:6])
        if not _LENGTH.fullmatch(declared):
            return self._skip(PacketError("length", f"the length {declared!r} is not 4 decimal digits"))
        size = int(declared) + OVERHEAD
        if size > MAX_PACKET:
            return self._skip(PacketError("too_long", f"a length of {int(declared)} is over {MAX_SEGMENT}"))
        if len(buffer) < size:
            return None
        if buffer[size - 2 : size] != b"\r\n":
            return self._skip(PacketError("length", "no CRLF where the length says the packet ends"))
        packet = bytes(buffer[:size])
        del buffer[:size]
        return packet

    def _skip(self, error: PacketError) -> PacketError:
        del self._buffer[:1]
        return error
